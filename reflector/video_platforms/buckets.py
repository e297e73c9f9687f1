"""A platform's bucket, reached with the platform's own keys where it has them."""

from typing import Any

import boto3
from pydantic import SecretStr

from reflector.config.settings import Settings
from reflector.video_platforms.platform_settings import VideoPlatformConfig


def client_for(
    service: str, settings: Settings, platform: VideoPlatformConfig, endpoint: str | None = None
) -> Any:
    """A boto3 client of `service` with the platform's bucket credentials (else the
    storage's), its bucket's region, and `endpoint` (by default `S3_ENDPOINT_URL`)."""
    keys = platform.recording_bucket_keys()
    key_id, secret = keys if keys else (settings.S3_ACCESS_KEY_ID, settings.S3_SECRET_ACCESS_KEY)
    return boto3.client(
        service,
        endpoint_url=endpoint or settings.S3_ENDPOINT_URL,
        region_name=platform.recording_bucket_region() or settings.S3_REGION,
        aws_access_key_id=_plain(key_id),
        aws_secret_access_key=_plain(secret),
    )


def _plain(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value else None
