"""Core settings. Each platform's settings live in its own package."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLUG_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
MAX_RETENTION_DAYS = 100 * 366
_BROKER_SCHEMES = ("redis://", "rediss://", "sqlite:///", "sqla+sqlite:///")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    REFLECTOR_DATA_DIR: Path = Path("./data")
    DATABASE_URL: str | None = None
    AUTH_BACKEND: Literal["apikey", "none"] = "apikey"
    # The host names the service answers to (others get 421); empty: any, except with
    # AUTH_BACKEND=none, which answers only to loopback names and PUBLIC_URL's host.
    TRUSTED_HOSTS: Annotated[frozenset[str], NoDecode] = frozenset()
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # Jitsi works with no configuration: the public meet.jit.si, links without tokens.
    DEFAULT_VIDEO_PLATFORM: str = Field(default="jitsi", pattern=SLUG_PATTERN)
    # The seed's migration flags: rooms listed here get new meetings on the target platform.
    DAILY_MIGRATION_ENABLED: bool = False
    DAILY_MIGRATION_ROOM_IDS: Annotated[frozenset[str], NoDecode] = frozenset()
    DAILY_MIGRATION_TARGET: str = Field(default="daily", pattern=SLUG_PATTERN)
    VIDEO_PLATFORM_FALLBACK: str | None = Field(default=None, pattern=SLUG_PATTERN)

    # Join links and meetings a user, and an address, may ask for a minute (0: no limit).
    LINK_RATE_LIMIT_PER_USER: int = Field(default=30, ge=0, le=100_000)
    LINK_RATE_LIMIT_PER_ADDRESS: int = Field(default=60, ge=0, le=100_000)

    # Sign-in attempts an address, and a user name, may make a minute (0: no limit).
    SIGNIN_RATE_LIMIT_PER_ADDRESS: int = Field(default=10, ge=0, le=100_000)
    SIGNIN_RATE_LIMIT_PER_USER: int = Field(default=10, ge=0, le=100_000)
    # The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (comma-separated
    # addresses or networks, "*" for any); empty: none, the peer's address is the client's.
    FORWARDED_ALLOW_IPS: str = Field(default="", max_length=2000)
    # How long a browser stays signed in.
    SESSION_MAX_AGE_SECONDS: int = Field(default=14 * 24 * 3600, ge=300, le=365 * 24 * 3600)

    MEETING_DURATION_SECONDS: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)
    MEETING_EMPTY_GRACE_SECONDS: int = Field(default=300, ge=0, le=24 * 3600)
    MEETING_EXTENSION_SECONDS: int = Field(default=900, ge=60, le=24 * 3600)
    LIFECYCLE_INTERVAL_SECONDS: float = Field(default=30, gt=0, le=3600)

    # Celery: the embedded SQLite broker by default, Redis (`redis://…`) at scale.
    CELERY_BROKER_URL: str | None = None
    # Start a worker and the scheduler with `reflector serve` (default: with the embedded broker).
    EMBEDDED_WORKER: bool | None = None
    WORKER_CONCURRENCY: int = Field(default=2, ge=1, le=64)
    JOB_LEASE_SECONDS: float = Field(default=60, ge=1, le=3600)
    OUTBOX_POLL_SECONDS: float = Field(default=1.0, gt=0, le=60)
    WEBHOOK_EVENT_RETENTION_DAYS: int = Field(default=90, ge=7, le=3650)
    JOB_RETENTION_DAYS: int = Field(default=7, ge=1, le=3650)
    # Days after processing that recordings' files and transcripts are deleted; unset: kept.
    # 0: media as soon as the transcript exists, a transcript at the next retention run.
    RETENTION_MEDIA_DAYS: int | None = Field(default=None, ge=0, le=MAX_RETENTION_DAYS)
    RETENTION_TRANSCRIPT_DAYS: int | None = Field(default=None, ge=0, le=MAX_RETENTION_DAYS)
    STORAGE_BACKEND: Literal["local", "s3"] = "local"
    # Local storage: every API and worker process must see the same directory.
    STORAGE_LOCAL_DIR: Path | None = None
    S3_BUCKET: str | None = None
    S3_ENDPOINT_URL: str | None = None
    S3_REGION: str = "us-east-1"
    S3_ACCESS_KEY_ID: SecretStr | None = None
    S3_SECRET_ACCESS_KEY: SecretStr | None = None
    RECORDING_MAX_BYTES: int = Field(default=4 * 1024**3, ge=1024, le=64 * 1024**3)
    RECORDING_MAX_SECONDS: float = Field(default=8 * 3600, gt=0, le=48 * 3600)
    # Tracks (uploaded files, or a platform's tracks) one recording may have.
    RECORDING_MAX_TRACKS: int = Field(default=32, ge=1, le=1000)
    # An engine of `reflector.recordings.pipeline.engines.ENGINES`.
    TRANSCRIPTION_BACKEND: str = Field(default="whisper", pattern=SLUG_PATTERN)
    # whisper: a model name (packaged, or downloaded on first use) or a model directory,
    # `base` when unset; openai: the model to ask for.
    TRANSCRIPTION_MODEL: str | None = Field(default=None, max_length=512)
    # A language code (`en`, `de`) every recording is taken to be in; unset: detected per track.
    TRANSCRIPTION_LANGUAGE: str | None = Field(default=None, pattern=r"^[a-z]{2,3}$")
    TRANSCRIPTION_DEVICE: Literal["cpu", "cuda"] = "cpu"
    # CTranslate2's compute type; unset: int8 on the CPU, float16 on a GPU.
    TRANSCRIPTION_COMPUTE_TYPE: (
        Literal[
            "int8",
            "int8_float32",
            "int8_float16",
            "int8_bfloat16",
            "int16",
            "float16",
            "bfloat16",
            "float32",
        ]
        | None
    ) = None
    TRANSCRIPTION_API_URL: str | None = None
    TRANSCRIPTION_API_KEY: SecretStr | None = None
    # The summary stage: any server speaking OpenAI's chat-completions API, e.g.
    # http://127.0.0.1:11434/v1 for Ollama; unset, there are no summaries.
    LLM_API_URL: AnyHttpUrl | None = None
    LLM_MODEL: str | None = Field(default=None, max_length=256)
    LLM_API_KEY: SecretStr | None = None
    # The model's context window: a longer transcript is summarised in parts that fit.
    LLM_CONTEXT_TOKENS: int = Field(default=8192, ge=2048, le=10_000_000)
    # Test-only: lets the fetcher read http:// from servers on loopback addresses, nothing else.
    FETCH_ALLOW_LOOPBACK_HTTP: bool = False
    # Room webhooks may go to private or loopback addresses (internal receivers).
    WEBHOOK_ALLOW_PRIVATE_TARGETS: bool = False
    # Where people and webhook receivers reach this service, e.g. https://reflector.example.com;
    # links in outgoing webhooks are built on it (without it they are paths).
    PUBLIC_URL: AnyHttpUrl | None = None

    # A published job not started by then is published again (its message may have been lost).
    JOB_REPUBLISH_SECONDS: float = Field(default=120, gt=0, le=24 * 3600)

    @field_validator("DAILY_MIGRATION_ROOM_IDS", "TRUSTED_HOSTS", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("CELERY_BROKER_URL")
    @classmethod
    def _known_broker(cls, value: str | None) -> str | None:
        if value and not value.startswith(_BROKER_SCHEMES):
            raise ValueError(f"use one of {', '.join(_BROKER_SCHEMES)}")
        return value

    @field_validator(
        "VIDEO_PLATFORM_FALLBACK",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "S3_BUCKET",
        "S3_ENDPOINT_URL",
        "STORAGE_LOCAL_DIR",
        "TRANSCRIPTION_MODEL",
        "TRANSCRIPTION_LANGUAGE",
        "TRANSCRIPTION_COMPUTE_TYPE",
        "TRANSCRIPTION_API_URL",
        "LLM_API_URL",
        "LLM_MODEL",
        mode="before",
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def broker_url(self) -> str:
        if not self.CELERY_BROKER_URL:
            return f"sqlite:///{(self.REFLECTOR_DATA_DIR / 'broker.sqlite3').resolve()}"
        return self.CELERY_BROKER_URL.removeprefix("sqla+")

    @property
    def broker_is_embedded(self) -> bool:
        return self.broker_url.startswith("sqlite:")

    @property
    def embedded_worker(self) -> bool:
        return self.broker_is_embedded if self.EMBEDDED_WORKER is None else self.EMBEDDED_WORKER

    @property
    def storage_local_dir(self) -> Path:
        return self.STORAGE_LOCAL_DIR or self.REFLECTOR_DATA_DIR / "storage"

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        return f"sqlite:///{(self.REFLECTOR_DATA_DIR / 'reflector.sqlite3').resolve()}"
