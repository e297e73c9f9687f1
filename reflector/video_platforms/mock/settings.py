from pathlib import Path

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from reflector.video_platforms.platform_settings import CommaList, VideoPlatformConfig, split_commas

_SECRET = Field(default=None, min_length=32)


class MockSettings(VideoPlatformConfig):
    model_config = SettingsConfigDict(
        env_prefix="MOCK_", env_file=".env", extra="ignore", frozen=True
    )

    platform_enabled: bool = True
    webhook_secret: SecretStr | None = _SECRET
    webhook_secret_previous: SecretStr | None = _SECRET
    # Where the meeting pages are: this service's own `/mock/<room>` at the quick start's address.
    base_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:1250/mock")
    # The mock platform's own API (`reflector mock api`): with it, rooms are created and
    # deleted there, links carry meeting tokens it mints, logos go there, recordings are polled.
    api_url: AnyHttpUrl | None = None
    api_key: SecretStr | None = Field(default=None, min_length=16)
    # The platform's record of its rooms and who is in them (`mock/rooms.py`), shared by
    # every process of a deployment; unset, `<REFLECTOR_DATA_DIR>/platforms/mock`.
    state_dir: Path | None = None
    # Where the tracks of a `recording.ready` event may be fetched from.
    recording_hosts: CommaList = ()
    # Buckets an `s3://bucket/key` track may name; read with the storage's S3 keys.
    recording_buckets: CommaList = ()

    @field_validator("recording_hosts", "recording_buckets", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return split_commas(value)

    @field_validator("api_url", "api_key", "state_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    def missing(self) -> list[str]:
        return [] if self.platform_enabled else [f"{self.env_name('platform_enabled')}=true"]

    def allowed_recording_hosts(self) -> tuple[str, ...]:
        return self.recording_hosts

    def allowed_recording_buckets(self) -> tuple[str, ...]:
        return self.recording_buckets
