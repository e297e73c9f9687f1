from pydantic import AnyHttpUrl, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from reflector.video_platforms.platform_settings import VideoPlatformConfig


class HuddleSettings(VideoPlatformConfig):
    model_config = SettingsConfigDict(env_prefix="HUDDLE_", extra="ignore", frozen=True)

    api_url: AnyHttpUrl = AnyHttpUrl("https://api.huddle.test/v1")
    api_key: SecretStr | None = None
    webhook_secret: SecretStr | None = Field(default=None, min_length=32)
    webhook_secret_previous: SecretStr | None = Field(default=None, min_length=32)

    def missing(self) -> list[str]:
        return [self.env_name("api_key")] if self.api_key is None else []
