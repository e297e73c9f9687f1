"""Reading a recording a platform wrote into an S3 bucket, into our storage.

The bucket must be one the platform's settings allow, and the key is data: it is refused if
it could be taken for a path (absolute, `..` segments, backslashes, control characters),
and it never becomes one of our keys or a local path. The endpoint is `S3_ENDPOINT_URL`;
the credentials are the platform's own when it has them, else the storage's.
"""

import asyncio
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from reflector.config.settings import Settings
from reflector.infra.job_errors import PermanentJobError, TransientJobError
from reflector.infra.storage import Storage, Stored, TooLarge
from reflector.infra.streams import chunks_of, reporting
from reflector.recordings.tracks import BucketSource
from reflector.video_platforms.buckets import client_for
from reflector.video_platforms.platform_settings import VideoPlatformConfig

_MISSING = frozenset({"NoSuchKey", "NoSuchBucket", "404", "AccessDenied", "403"})


class BucketRefused(PermanentJobError):
    """The bucket is not allowed, or the key is not one a platform writes."""


def check_source(source: BucketSource, platform: VideoPlatformConfig) -> None:
    if source.bucket not in platform.allowed_recording_buckets():
        raise BucketRefused(f"bucket {source.bucket!r} is not one this platform may use")
    key = source.key
    if not key or key.startswith("/") or "\\" in key or any(ord(char) < 32 for char in key):
        raise BucketRefused(f"key {key[:80]!r} is not an object key")
    if ".." in key.split("/"):
        raise BucketRefused(f"key {key[:80]!r} has a '..' segment")


async def read_into(
    source: BucketSource,
    platform: VideoPlatformConfig,
    settings: Settings,
    storage: Storage,
    our_key: str,
    max_bytes: int,
    told: Callable[[float], None] | None = None,
) -> Stored:
    """Copy the object into our storage under `our_key`, at most `max_bytes` of it; `told`
    hears the fraction copied."""
    check_source(source, platform)
    client = client_for("s3", settings, platform)
    try:
        answer = await asyncio.to_thread(client.get_object, Bucket=source.bucket, Key=source.key)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in _MISSING:
            raise BucketRefused(f"s3://{source.bucket}/{source.key[:80]}: {code}") from None
        raise TransientJobError(f"reading s3://{source.bucket}: {code or exc}") from exc
    except BotoCoreError as exc:
        raise TransientJobError(f"reading s3://{source.bucket}: {exc}") from exc
    body = answer["Body"]
    length = answer.get("ContentLength")
    try:
        return await storage.put(
            our_key, reporting(chunks_of(body), length, told), max_bytes, length
        )
    except TooLarge as exc:
        raise PermanentJobError(f"the recording is {exc}") from None
    finally:
        body.close()
