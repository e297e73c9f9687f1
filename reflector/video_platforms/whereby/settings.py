"""Whereby settings (`WHEREBY_*`, and the seed's `AWS_WHEREBY_*` for the recordings bucket)."""

from pathlib import Path
from typing import ClassVar

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from reflector.video_platforms.platform_settings import VideoPlatformConfig

# The seed's names for the bucket settings, outside the WHEREBY_ prefix.
_UNPREFIXED = {
    "s3_bucket": "AWS_WHEREBY_S3_BUCKET",
    "s3_region": "AWS_WHEREBY_S3_REGION",
    "access_key_id": "AWS_WHEREBY_ACCESS_KEY_ID",
    "access_key_secret": "AWS_WHEREBY_ACCESS_KEY_SECRET",
    "sqs_queue_url": "AWS_WHEREBY_SQS_QUEUE_URL",
}


class WherebySettings(VideoPlatformConfig):
    model_config = SettingsConfigDict(
        env_prefix="WHEREBY_", env_file=".env", extra="ignore", frozen=True, populate_by_name=True
    )
    REQUIRED: ClassVar[tuple[str, ...]] = ("api_key",)

    api_key: SecretStr | None = Field(default=None, min_length=8)
    api_url: AnyHttpUrl = AnyHttpUrl("https://api.whereby.dev/v1")
    # The signing secret the Embedded dashboard shows for the webhook, used as-is
    # (docs/platforms/whereby.md#webhook-signature).
    webhook_secret: SecretStr | None = Field(default=None, min_length=16)
    webhook_secret_previous: SecretStr | None = Field(default=None, min_length=16)
    # A logo uploaded to every new room (docs/platforms/whereby.md#room-logo); PNG, at least 400 px
    # wide, is recommended.
    logo_path: Path | None = None
    # Cloud recordings: Whereby writes `<room>-<start>.mp4` into this bucket with these keys
    # (docs/platforms/whereby.md#cloud-recordings-in-our-bucket); "bucket/folder" writes into a
    # folder. We read it back with the same keys.
    s3_bucket: str | None = Field(
        default=None, alias="AWS_WHEREBY_S3_BUCKET", pattern=r"^[a-z0-9][a-z0-9.-]{1,62}(/.+)?$"
    )
    s3_region: str = Field(default="us-east-1", alias="AWS_WHEREBY_S3_REGION")
    access_key_id: SecretStr | None = Field(default=None, alias="AWS_WHEREBY_ACCESS_KEY_ID")
    access_key_secret: SecretStr | None = Field(default=None, alias="AWS_WHEREBY_ACCESS_KEY_SECRET")
    # Optional: the queue the bucket's ObjectCreated notifications go to
    # (docs/platforms/whereby.md#cloud-recordings-in-our-bucket).
    sqs_queue_url: AnyHttpUrl | None = Field(default=None, alias="AWS_WHEREBY_SQS_QUEUE_URL")

    @classmethod
    def env_name(cls, field: str) -> str:
        return _UNPREFIXED.get(field) or super().env_name(field)

    @field_validator(
        "api_key",
        "logo_path",
        "s3_bucket",
        "access_key_id",
        "access_key_secret",
        "sqs_queue_url",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def cloud_recording(self) -> bool:
        """Cloud recordings need the bucket and the keys Whereby writes it with."""
        return bool(self.s3_bucket and self.access_key_id and self.access_key_secret)

    @property
    def bucket_name(self) -> str | None:
        return self.s3_bucket.partition("/")[0] if self.s3_bucket else None

    @property
    def bucket_folder(self) -> str:
        """The folder recordings are written into, "" or ending in "/"."""
        folder = self.s3_bucket.partition("/")[2].strip("/") if self.s3_bucket else ""
        return f"{folder}/" if folder else ""

    def allowed_recording_buckets(self) -> tuple[str, ...]:
        return (self.bucket_name,) if self.bucket_name else ()

    def recording_bucket_keys(self) -> tuple[SecretStr, SecretStr] | None:
        if self.access_key_id and self.access_key_secret:
            return self.access_key_id, self.access_key_secret
        return None

    def recording_bucket_region(self) -> str | None:
        return self.s3_region
