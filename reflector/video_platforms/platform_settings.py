"""The base of every platform's typed settings (the seed's `VideoPlatformConfig`)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Annotated, ClassVar, Self

from pydantic import AwareDatetime, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A comma-separated setting, e.g. `MOCK_RECORDING_HOSTS=a.example.com,.b.example.com`.
CommaList = Annotated[tuple[str, ...], NoDecode]


def split_commas(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


class VideoPlatformConfig(BaseSettings):
    """Settings of one platform, read from `<PLATFORM>_*` environment variables and `.env`.

    Subclasses set `env_prefix`, declare secrets as `SecretStr` and list in `missing()` what
    must still be set before the platform can be used.

    Every platform rotates its webhook secret the same way: set the new one as
    `<PLATFORM>_WEBHOOK_SECRET` and the old one as `<PLATFORM>_WEBHOOK_SECRET_PREVIOUS`;
    both are accepted until the previous one is removed (or, if given, until
    `<PLATFORM>_WEBHOOK_SECRET_PREVIOUS_VALID_UNTIL`). Subclasses may redeclare the two
    secrets with their own constraints.
    """

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)
    REQUIRED: ClassVar[tuple[str, ...]] = ()

    webhook_secret: SecretStr | None = None
    webhook_secret_previous: SecretStr | None = None
    webhook_secret_previous_valid_until: AwareDatetime | None = None

    @classmethod
    def env_name(cls, field: str) -> str:
        return f"{cls.model_config.get('env_prefix', '')}{field}".upper()

    @field_validator("webhook_secret", "webhook_secret_previous", mode="before")
    @classmethod
    def _empty_secret_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @model_validator(mode="after")
    def _previous_needs_a_current(self) -> Self:
        if self.webhook_secret_previous and not self.webhook_secret:
            raise ValueError(
                f"{self.env_name('webhook_secret_previous')} is only accepted beside a new "
                f"{self.env_name('webhook_secret')}"
            )
        return self

    def webhook_secrets(self, now: datetime) -> list[SecretStr]:
        """The secrets an incoming webhook may be signed with now, the current one first."""
        secrets = [self.webhook_secret] if self.webhook_secret else []
        until = self.webhook_secret_previous_valid_until
        if self.webhook_secret_previous and (until is None or now <= until):
            secrets.append(self.webhook_secret_previous)
        return secrets

    def missing(self) -> list[str]:
        """Environment variables that must be set before this platform is configured."""
        return [self.env_name(name) for name in self.REQUIRED if getattr(self, name) is None]

    def allowed_recording_hosts(self) -> tuple[str, ...]:
        """Hosts recordings may be fetched from (".example.com" allows its subdomains)."""
        return ()

    def allowed_recording_buckets(self) -> tuple[str, ...]:
        """S3 buckets this platform's recordings may be read from."""
        return ()

    def recording_bucket_keys(self) -> tuple[SecretStr, SecretStr] | None:
        """The access key id and secret that read the platform's bucket; None: the storage's."""
        return None

    def recording_bucket_region(self) -> str | None:
        """The region of the platform's bucket; None: the storage's (`S3_REGION`)."""
        return None

    def describe(self) -> dict[str, str]:
        """Every setting by its environment name, secrets masked."""
        shown: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                shown[self.env_name(name)] = "**********"
            elif isinstance(value, tuple):
                shown[self.env_name(name)] = ",".join(map(str, value))
            else:
                shown[self.env_name(name)] = "" if value is None else str(value)
        return shown


def encoded(secrets: Iterable[SecretStr]) -> list[bytes]:
    """Secrets as the UTF-8 bytes an HMAC is keyed with."""
    return [secret.get_secret_value().encode() for secret in secrets]
