"""Loading and cross-checking all settings: the core's and every registered platform's.

A setting that is present but invalid stops start-up with a message naming it.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from reflector.config.settings import Settings
from reflector.db.urls import async_url
from reflector.infra.validation import message
from reflector.recordings.pipeline import engines
from reflector.video_platforms.platform_settings import VideoPlatformConfig


class ConfigError(Exception):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = list(problems)


class DeclaresSettings(Protocol):
    """A registered platform, as far as loading settings goes: its slug and settings class."""

    @property
    def slug(self) -> str: ...

    @property
    def settings(self) -> type[VideoPlatformConfig]: ...


@dataclass(frozen=True)
class Config:
    settings: Settings
    platforms: Mapping[str, VideoPlatformConfig]


def load_config(
    specs: Sequence[DeclaresSettings],
    settings: Settings | None = None,
    platforms: Mapping[str, VideoPlatformConfig] | None = None,
) -> Config:
    """Read settings from the environment and `.env`; given objects take their place."""
    problems: list[str] = []
    if settings is None:
        try:
            settings = Settings()
        except ValidationError as exc:
            problems += _describe(exc, lambda field: field)
    loaded = dict(platforms or {})
    for spec in specs:
        if spec.slug in loaded:
            continue
        try:
            loaded[spec.slug] = spec.settings()
        except ValidationError as exc:
            problems += _describe(exc, spec.settings.env_name)
    if settings is None or problems:
        raise ConfigError(problems)
    config = Config(settings=settings, platforms=loaded)
    problems += check(config)
    if problems:
        raise ConfigError(problems)
    return config


def check(config: Config) -> list[str]:
    settings = config.settings
    problems: list[str] = []
    try:
        async_url(settings.database_url)
    except ValueError as exc:
        problems.append(f"DATABASE_URL: {exc}")
    if settings.STORAGE_BACKEND == "s3" and not settings.S3_BUCKET:
        problems.append("S3_BUCKET: required with STORAGE_BACKEND=s3")
    problems += engines.problems(settings)
    if settings.LLM_API_URL and not settings.LLM_MODEL:
        problems.append("LLM_MODEL: required with LLM_API_URL (the model the server serves)")
    chosen = {"DEFAULT_VIDEO_PLATFORM": settings.DEFAULT_VIDEO_PLATFORM}
    if settings.VIDEO_PLATFORM_FALLBACK:
        chosen["VIDEO_PLATFORM_FALLBACK"] = settings.VIDEO_PLATFORM_FALLBACK
    if settings.DAILY_MIGRATION_ENABLED:
        chosen["DAILY_MIGRATION_TARGET"] = settings.DAILY_MIGRATION_TARGET
    for name, slug in chosen.items():
        platform = config.platforms.get(slug)
        if platform is None:
            known = ", ".join(sorted(config.platforms))
            problems.append(f"{name}: unknown platform {slug!r} (known: {known})")
        elif missing := platform.missing():
            problems.append(
                f"{name}: platform {slug!r} is not configured; set {', '.join(missing)}"
            )
    return problems


def _describe(exc: ValidationError, env_name: Any) -> list[str]:
    described = []
    for error in exc.errors():
        if error["loc"]:
            described.append(f"{env_name(str(error['loc'][0]))}: {_in_words(error)}")
        else:  # a check across fields, whose message names the variables itself
            described.append(message(error))
    return described


def _in_words(error: Any) -> str:
    """Pydantic counts a secret's length in "items"; settings are text: say characters."""
    limits = error.get("ctx") or {}
    if error["type"] == "too_short" and "min_length" in limits:
        return f"must be at least {limits['min_length']} characters long"
    if error["type"] == "too_long" and "max_length" in limits:
        return f"must be at most {limits['max_length']} characters long"
    return message(error)
