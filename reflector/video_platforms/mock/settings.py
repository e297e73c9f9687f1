from typing import Self

from pydantic import AnyHttpUrl, AwareDatetime, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from reflector.video_platforms.platform_settings import VideoPlatformConfig

_SECRET = Field(default=None, min_length=32)


class MockSettings(VideoPlatformConfig):
    model_config = SettingsConfigDict(
        env_prefix="MOCK_", env_file=".env", extra="ignore", frozen=True
    )

    platform_enabled: bool = True
    webhook_secret: SecretStr | None = _SECRET
    # Rotation: the previous secret stays valid until the given time (ISO 8601 with zone).
    webhook_secret_previous: SecretStr | None = _SECRET
    webhook_secret_previous_valid_until: AwareDatetime | None = None
    base_url: AnyHttpUrl = AnyHttpUrl("http://localhost/mock")

    @model_validator(mode="after")
    def _previous_needs_an_end(self) -> Self:
        if self.webhook_secret_previous and not self.webhook_secret_previous_valid_until:
            raise ValueError(
                f"{self.env_name('webhook_secret_previous')} needs "
                f"{self.env_name('webhook_secret_previous_valid_until')}"
            )
        return self

    def missing(self) -> list[str]:
        return [] if self.platform_enabled else [f"{self.env_name('platform_enabled')}=true"]
