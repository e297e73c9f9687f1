"""The base of every platform's typed settings (the seed's `VideoPlatformConfig`)."""

from datetime import datetime
from typing import ClassVar

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class VideoPlatformConfig(BaseSettings):
    """Settings of one platform, read from `<PLATFORM>_*` environment variables and `.env`.

    Subclasses set `env_prefix`, declare secrets as `SecretStr` and list in `missing()` what
    must still be set before the platform can be used.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)
    REQUIRED: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def env_name(cls, field: str) -> str:
        return f"{cls.model_config.get('env_prefix', '')}{field}".upper()

    def missing(self) -> list[str]:
        """Environment variables that must be set before this platform is configured."""
        return [self.env_name(name) for name in self.REQUIRED if getattr(self, name) is None]

    def recording_hosts(self) -> tuple[str, ...]:
        """Hosts recordings may be fetched from (".example.com" allows its subdomains)."""
        return ()

    def describe(self) -> dict[str, str]:
        """Every setting by its environment name, secrets masked."""
        shown: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown[self.env_name(name)] = "**********"
            else:
                shown[self.env_name(name)] = "" if value is None else str(value)
        return shown


def active_secrets(
    current: SecretStr | None,
    previous: SecretStr | None,
    previous_valid_until: datetime | None,
    now: datetime,
) -> list[bytes]:
    """The secrets a webhook may be signed with now: during a rotation, the previous one too."""
    secrets = [current] if current else []
    if previous and previous_valid_until and now <= previous_valid_until:
        secrets.append(previous)
    return [secret.get_secret_value().encode() for secret in secrets]
