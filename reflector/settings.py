"""Core settings. Each platform's settings live in its own package."""

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SLUG_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    REFLECTOR_DATA_DIR: Path = Path("./data")
    DATABASE_URL: str | None = None
    AUTH_BACKEND: Literal["apikey", "none"] = "apikey"
    LOG_LEVEL: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    DEFAULT_VIDEO_PLATFORM: str = Field(default="mock", pattern=SLUG_PATTERN)
    # The seed's migration flags: rooms listed here get new meetings on the target platform.
    DAILY_MIGRATION_ENABLED: bool = False
    DAILY_MIGRATION_ROOM_IDS: Annotated[frozenset[str], NoDecode] = frozenset()
    DAILY_MIGRATION_TARGET: str = Field(default="daily", pattern=SLUG_PATTERN)
    VIDEO_PLATFORM_FALLBACK: str | None = Field(default=None, pattern=SLUG_PATTERN)

    MEETING_DURATION_SECONDS: int = Field(default=8 * 3600, ge=60, le=7 * 24 * 3600)

    @field_validator("DAILY_MIGRATION_ROOM_IDS", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("VIDEO_PLATFORM_FALLBACK", "DATABASE_URL", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @property
    def database_url(self) -> str:
        if self.DATABASE_URL:
            return self.DATABASE_URL
        return f"sqlite:///{(self.REFLECTOR_DATA_DIR / 'reflector.sqlite3').resolve()}"
