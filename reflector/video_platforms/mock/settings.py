from pydantic import AnyHttpUrl, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from reflector.video_platforms.config import VideoPlatformConfig


class MockSettings(VideoPlatformConfig):
    model_config = SettingsConfigDict(
        env_prefix="MOCK_", env_file=".env", extra="ignore", frozen=True
    )

    platform_enabled: bool = True
    webhook_secret: SecretStr | None = Field(default=None, min_length=32)
    base_url: AnyHttpUrl = AnyHttpUrl("http://localhost/mock")

    def missing(self) -> list[str]:
        return [] if self.platform_enabled else [f"{self.env_name('platform_enabled')}=true"]
