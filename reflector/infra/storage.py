"""Where recordings live: local disk or any S3-compatible store, behind one interface.

Keys are made from our own ids (`recording_key`), never from names a platform gives, and are
checked before any storage call. Writes stream in chunks with a size cap and a SHA-256, go to
a temporary name, and appear under their key only when complete (a rename on disk; on S3 an
upload becomes visible only when it completes).
"""

import asyncio
import hashlib
import logging
import re
import shutil
import uuid
from abc import ABC, abstractmethod
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError
from pydantic import SecretStr

from reflector.config.settings import Settings
from reflector.infra.job_errors import PermanentJobError
from reflector.infra.streams import chunks_of

KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}(/[a-z0-9][a-z0-9_.-]{0,127}){1,4}")
EXTENSIONS = frozenset({"mp4", "webm", "mkv", "m4a", "mp3", "wav", "ogg", "opus", "flac", "bin"})
logger = logging.getLogger(__name__)


class StorageError(Exception):
    pass


class TooLarge(StorageError):
    pass


class NotMedia(PermanentJobError):
    """The file is not media we can use: not decodable, truncated, no audio, too long."""


class InvalidKey(StorageError, ValueError):
    pass


class MissingObject(StorageError, PermanentJobError):
    """An object this process cannot find, though the database says it was stored."""


SHARED_STORAGE_HINT = (
    "every API and worker process must use the same storage: S3, or one STORAGE_LOCAL_DIR "
    "that all of them mount"
)


@dataclass(frozen=True)
class Stored:
    key: str
    size: int
    sha256: str


def recording_key(recording_id: uuid.UUID, track: int, extension: str) -> str:
    extension = extension.lower() if extension.lower() in EXTENSIONS else "bin"
    return f"recordings/{recording_id}/track-{track}.{extension}"


def audio_key(recording_id: uuid.UUID, track: int) -> str:
    return f"recordings/{recording_id}/audio-{track}.wav"


def check_key(key: str) -> str:
    if len(key) > 512 or not KEY.fullmatch(key) or ".." in key:
        raise InvalidKey(f"not a storage key: {key[:80]!r}")
    return key


class Storage(ABC):
    def __init__(self, spool_dir: Path) -> None:
        self._spool_dir = spool_dir

    @abstractmethod
    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        max_bytes: int,
        expected_bytes: int | None = None,
    ) -> Stored: ...

    @abstractmethod
    def local_path(self, key: str) -> Any:
        """`async with storage.local_path(key) as path`: the object as a local file."""

    @abstractmethod
    async def delete(self, key: str) -> None: ...

    @abstractmethod
    def read(self, key: str, first: int = 0, last: int | None = None) -> AsyncIterator[bytes]:
        """Bytes `first` to `last` (inclusive; None: to the end) of an object, in chunks."""

    async def _spool(
        self, target: Path, chunks: AsyncIterable[bytes], max_bytes: int, expected_bytes: int | None
    ) -> tuple[int, str]:
        """Write chunks to `target` with the cap and the hash; the caller renames or uploads it."""
        target.parent.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(target.parent).free
        if expected_bytes is not None and free < 2 * expected_bytes:
            raise StorageError(f"not enough free disk space for {expected_bytes} bytes")
        digest = hashlib.sha256()
        size = 0
        with target.open("wb") as out:
            async for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"larger than the limit of {max_bytes} bytes")
                digest.update(chunk)
                await asyncio.to_thread(out.write, chunk)
        return size, digest.hexdigest()


class LocalStorage(Storage):
    def __init__(self, root: Path) -> None:
        super().__init__(root / ".spool")
        self._root = root.resolve()

    def _path(self, key: str) -> Path:
        path = (self._root / check_key(key)).resolve()
        if not path.is_relative_to(self._root):
            raise InvalidKey(f"not a storage key: {key[:80]!r}")
        return path

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        max_bytes: int,
        expected_bytes: int | None = None,
    ) -> Stored:
        path = self._path(key)
        partial = path.with_name(f"{path.name}.part-{uuid.uuid4().hex}")
        try:
            size, sha256 = await self._spool(partial, chunks, max_bytes, expected_bytes)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        return Stored(key, size, sha256)

    @asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        path = self._path(key)
        if not path.is_file():
            raise MissingObject(f"{key!r} is not in {self._root}; {SHARED_STORAGE_HINT}")
        yield path

    async def read(self, key: str, first: int = 0, last: int | None = None) -> AsyncIterator[bytes]:
        try:
            file = await asyncio.to_thread(self._path(key).open, "rb")
        except FileNotFoundError:
            raise MissingObject(f"{key!r} is not in storage; {SHARED_STORAGE_HINT}") from None
        try:
            await asyncio.to_thread(file.seek, first)
            async for chunk in chunks_of(file, None if last is None else last - first + 1):
                yield chunk
        finally:
            file.close()

    async def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Directories emptied by it go too, up to the storage's root.
        for directory in path.parents:
            if directory == self._root or not directory.is_relative_to(self._root):
                break
            try:
                directory.rmdir()
            except OSError:  # not empty
                break


class S3Storage(Storage):
    def __init__(self, client: Any, bucket: str, spool_dir: Path) -> None:
        super().__init__(spool_dir)
        self._client = client
        self._bucket = bucket

    async def put(
        self,
        key: str,
        chunks: AsyncIterable[bytes],
        max_bytes: int,
        expected_bytes: int | None = None,
    ) -> Stored:
        check_key(key)
        with _spool_file(self._spool_dir) as spooled:
            size, sha256 = await self._spool(spooled, chunks, max_bytes, expected_bytes)
            await asyncio.to_thread(self._client.upload_file, str(spooled), self._bucket, key)
        return Stored(key, size, sha256)

    @asynccontextmanager
    async def local_path(self, key: str) -> AsyncIterator[Path]:
        check_key(key)
        with _spool_file(self._spool_dir) as local:
            try:
                await asyncio.to_thread(self._client.download_file, self._bucket, key, str(local))
            except ClientError as exc:
                if str(exc.response.get("Error", {}).get("Code")) not in ("404", "NoSuchKey"):
                    raise
                raise MissingObject(f"{key!r} is not in bucket {self._bucket!r}") from None
            yield local

    async def read(self, key: str, first: int = 0, last: int | None = None) -> AsyncIterator[bytes]:
        wanted = f"bytes={first}-{'' if last is None else last}"
        try:
            answer = await asyncio.to_thread(
                self._client.get_object, Bucket=self._bucket, Key=check_key(key), Range=wanted
            )
        except ClientError as exc:
            if str(exc.response.get("Error", {}).get("Code")) not in ("404", "NoSuchKey"):
                raise
            raise MissingObject(f"{key!r} is not in bucket {self._bucket!r}") from None
        body = answer["Body"]
        try:
            async for chunk in chunks_of(body):
                yield chunk
        finally:
            body.close()

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self._bucket, Key=check_key(key))


@contextmanager
def _spool_file(directory: Path) -> Iterator[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"spool-{uuid.uuid4().hex}"
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


def make_storage(settings: Settings) -> Storage:
    spool = settings.REFLECTOR_DATA_DIR / "spool"
    if settings.STORAGE_BACKEND == "local":
        return LocalStorage(settings.storage_local_dir)
    client = boto3.client(
        "s3",
        endpoint_url=settings.S3_ENDPOINT_URL,
        region_name=settings.S3_REGION,
        aws_access_key_id=_secret(settings.S3_ACCESS_KEY_ID),
        aws_secret_access_key=_secret(settings.S3_SECRET_ACCESS_KEY),
    )
    return S3Storage(client, settings.S3_BUCKET or "", spool)


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None


async def remove_all(storage: Storage, keys: Iterable[str]) -> None:
    """Remove stored files whose rows are gone already: a failure is logged, not raised, and
    leaves an orphan file rather than a deletion half done."""
    for key in keys:
        try:
            await storage.delete(key)
        except Exception as exc:  # any storage failure, local or S3
            logger.warning("stored file %s was not removed: %s", key, exc)
