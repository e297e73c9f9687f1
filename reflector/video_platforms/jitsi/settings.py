"""Jitsi settings (`JITSI_*`). With none set, rooms are on the public meet.jit.si, tokenless."""

from pathlib import Path
from typing import Literal, Self

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from reflector.video_platforms.platform_settings import VideoPlatformConfig

PUBLIC_SERVER = "https://meet.jit.si"
Algorithm = Literal["HS256", "HS384", "HS512", "RS256", "RS384", "RS512"]


class JitsiSettings(VideoPlatformConfig):
    model_config = SettingsConfigDict(
        env_prefix="JITSI_", env_file=".env", extra="ignore", frozen=True
    )

    # The public host the web app is served from; "https://" is assumed. A path names a
    # tenant (`8x8.vc/vpaas-magic-cookie-…`).
    domain: str = Field(default="meet.jit.si", min_length=1, pattern=r"^[^\s?#]+$")
    # HS* tokens: Prosody's `app_secret` (docker JWT_APP_SECRET), used as the literal string.
    jwt_secret: SecretStr | None = Field(default=None, min_length=32)
    # RS* tokens (8x8's hosted Jitsi, or Prosody with `asap_key_server`): a PEM private key.
    jwt_private_key: SecretStr | None = None
    jwt_key_id: str | None = Field(default=None, min_length=1, max_length=255)
    # Must equal Prosody's `signature_algorithm`; by default HS256 with a secret, else RS256.
    jwt_algorithm: Algorithm | None = None
    # Prosody's `app_id` / `asap_accepted_issuers` (docker JWT_APP_ID, JWT_ACCEPTED_ISSUERS).
    app_id: str = Field(default="reflector", min_length=1, max_length=255)
    # One of Prosody's `asap_accepted_audiences` (docker JWT_ACCEPTED_AUDIENCES).
    jwt_audience: str = Field(default="reflector", min_length=1, max_length=255)
    # The XMPP domain (docker XMPP_DOMAIN), a tenant, or "*" (docs/platforms/jitsi.md#room-tokens).
    jwt_subject: str = Field(default="meet.jitsi", min_length=1, max_length=255)
    # Prosody's event-sync `api_headers` bearer, and the Jibri finalize script's HMAC key.
    webhook_secret: SecretStr | None = Field(default=None, min_length=32)
    webhook_secret_previous: SecretStr | None = Field(default=None, min_length=32)
    # Domain of Jibri's recorder and transcriber accounts (docker XMPP_HIDDEN_DOMAIN).
    hidden_domain: str = Field(default="hidden.meet.jitsi", min_length=1)
    # Prosody's HTTP base (e.g. http://prosody:5280) for `GET /room-census`, if enabled.
    api_url: AnyHttpUrl | None = None
    # Shared-volume mode: Jibri's recordings directory as mounted here (read-only is enough).
    recordings_dir: Path | None = None

    @field_validator("jwt_secret", "webhook_secret", "webhook_secret_previous")
    @classmethod
    def _not_an_example(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().lower().startswith("change-me"):
            raise ValueError("is the example from the docs; generate one: openssl rand -hex 32")
        return value

    @model_validator(mode="after")
    def _one_signing_key(self) -> Self:
        secret, private_key = self.env_name("jwt_secret"), self.env_name("jwt_private_key")
        if self.jwt_secret and self.jwt_private_key:
            raise ValueError(f"{secret}: set it or {private_key}, not both")
        algorithm = self.signing_algorithm or ""
        if algorithm.startswith("HS"):
            # RFC 7518 §3.2: an HMAC key at least as long as the hash.
            needed = int(algorithm[2:]) // 8
            if not self.jwt_secret or len(self.jwt_secret.get_secret_value()) < needed:
                raise ValueError(f"{secret}: {algorithm} tokens need a secret of {needed}+ bytes")
        if algorithm.startswith("RS") and not self.jwt_private_key:
            raise ValueError(f"{private_key}: required for {algorithm} tokens")
        if algorithm and self.base_url == PUBLIC_SERVER:
            # The public server knows nothing of our key (docs/platforms/jitsi.md#room-tokens).
            raise ValueError(
                f"{self.env_name('domain')}: set it to your Jitsi's host; {PUBLIC_SERVER} "
                "does not accept tokens signed with your key"
            )
        return self

    @property
    def signing_algorithm(self) -> Algorithm | None:
        """The pinned token algorithm, or None when links carry no token."""
        if self.jwt_algorithm:
            return self.jwt_algorithm
        if self.jwt_secret:
            return "HS256"
        if self.jwt_private_key:
            return "RS256"
        return None

    @property
    def base_url(self) -> str:
        domain = self.domain.rstrip("/")
        return domain if "://" in domain else f"https://{domain}"
