"""Daily settings (`DAILY_*`, and the seed's `AWS_DAILY_*` for the raw-tracks bucket)."""

import base64
import binascii
from typing import ClassVar

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from reflector.video_platforms.platform_settings import CommaList, VideoPlatformConfig, split_commas

# Access links to recordings point at S3 (docs/platforms/daily.md#recordings).
DEFAULT_RECORDING_HOSTS = (".amazonaws.com",)
# The seed's names for the bucket settings, outside the DAILY_ prefix.
_UNPREFIXED = {
    "s3_bucket": "AWS_DAILY_S3_BUCKET",
    "s3_region": "AWS_DAILY_S3_REGION",
    "role_arn": "AWS_DAILY_ROLE_ARN",
}


class DailySettings(VideoPlatformConfig):
    model_config = SettingsConfigDict(
        env_prefix="DAILY_", env_file=".env", extra="ignore", frozen=True, populate_by_name=True
    )
    REQUIRED: ClassVar[tuple[str, ...]] = ("api_key",)

    api_key: SecretStr | None = Field(default=None, min_length=8)
    api_url: AnyHttpUrl = AnyHttpUrl("https://api.daily.co/v1")
    # `<subdomain>.daily.co`, the domain the rooms live on (shown by `reflector platforms`).
    subdomain: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    # Daily's webhook `hmac`: base64 text, decoded to key the HMAC
    # (docs/platforms/daily.md#webhook-signature).
    webhook_secret: SecretStr | None = None
    webhook_secret_previous: SecretStr | None = None
    recording_hosts: CommaList = ()
    # Raw tracks: the bucket Daily writes to by assuming the role; we read it with the
    # storage's S3 keys (or with the endpoint of S3_ENDPOINT_URL).
    s3_bucket: str | None = Field(default=None, alias="AWS_DAILY_S3_BUCKET")
    s3_region: str = Field(default="us-east-1", alias="AWS_DAILY_S3_REGION")
    role_arn: str | None = Field(default=None, alias="AWS_DAILY_ROLE_ARN")

    @classmethod
    def env_name(cls, field: str) -> str:
        return _UNPREFIXED.get(field) or super().env_name(field)

    @field_validator("webhook_secret", "webhook_secret_previous")
    @classmethod
    def _base64(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                key = base64.b64decode(value.get_secret_value(), validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("must be base64, as Daily issues it") from None
            if len(key) < 16:
                raise ValueError("must decode to at least 16 bytes")
        return value

    @field_validator("recording_hosts", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return split_commas(value)

    @field_validator("api_key", "subdomain", "s3_bucket", "role_arn", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def raw_tracks(self) -> bool:
        """Raw-track recordings need our own bucket and the role Daily writes it with."""
        return bool(self.s3_bucket and self.role_arn)

    def allowed_recording_hosts(self) -> tuple[str, ...]:
        return DEFAULT_RECORDING_HOSTS + self.recording_hosts

    def allowed_recording_buckets(self) -> tuple[str, ...]:
        return (self.s3_bucket,) if self.s3_bucket else ()

    def webhook_key(self, secret: SecretStr) -> bytes:
        return base64.b64decode(secret.get_secret_value())

    def recording_bucket_region(self) -> str | None:
        return self.s3_region
