"""Clients built from each platform's own settings, and the rules that pick a platform."""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from reflector.config.loading import Config, ConfigError
from reflector.db import Room
from reflector.infra.metrics import (
    MEETINGS_CREATED,
    MEETINGS_FAILED,
    PLATFORM_FALLBACKS,
    PLATFORM_SELECTIONS,
)
from reflector.video_platforms.base import (
    Capability,
    MeetingData,
    PlatformContext,
    VideoPlatformClient,
)
from reflector.video_platforms.errors import (
    PlatformError,
    PlatformNotConfigured,
    PlatformUnavailable,
)
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from reflector.video_platforms.spec import PlatformSpec

logger = logging.getLogger(__name__)
ClientT = TypeVar("ClientT", bound=VideoPlatformClient[Any])


class Platforms:
    """The platforms of one process: their settings, one client each, and selection."""

    def __init__(
        self, specs: Sequence[PlatformSpec], config: Config, context: PlatformContext
    ) -> None:
        self._specs = {spec.slug: spec for spec in specs}
        if lacking := [slug for slug in self._specs if slug not in config.platforms]:
            raise ConfigError([f"no settings loaded for platform {slug!r}" for slug in lacking])
        self._config = config
        self._context = context
        self._clients: dict[str, VideoPlatformClient[Any]] = {}

    @property
    def slugs(self) -> list[str]:
        return list(self._specs)

    def spec(self, slug: str) -> PlatformSpec:
        try:
            return self._specs[slug]
        except KeyError:
            raise PlatformNotConfigured(slug, "unknown platform") from None

    def title(self, slug: str) -> str:
        """What people call the platform; an unknown slug (a platform removed since its
        meetings were held) is shown as it is."""
        spec = self._specs.get(slug)
        return spec.title if spec else slug

    def settings(self, slug: str) -> VideoPlatformConfig:
        self.spec(slug)
        return self._config.platforms[slug]

    def missing(self, slug: str) -> list[str]:
        return self.settings(slug).missing()

    def is_configured(self, slug: str) -> bool:
        return slug in self._specs and not self.missing(slug)

    def capabilities(self, slug: str) -> frozenset[Capability]:
        """What the platform can do with its settings."""
        return self._specs[slug].client.capabilities_with(self._config.platforms[slug])

    def hears_presence(self, slug: str) -> bool:
        """Whether the platform's webhooks, which say who joins and leaves, can reach us:
        every platform's are verified with its webhook secret, and refused without one."""
        return slug in self._specs and self.settings(slug).webhook_secret is not None

    def having(self, capability: Capability) -> frozenset[str]:
        """The platforms that can do `capability` with their settings."""
        return frozenset(slug for slug in self._specs if capability in self.capabilities(slug))

    def client(self, slug: str) -> VideoPlatformClient[Any]:
        if slug not in self._clients:
            if missing := self.missing(slug):
                raise PlatformNotConfigured(slug, f"not configured; set {', '.join(missing)}")
            spec = self._specs[slug]
            self._clients[slug] = spec.client(slug, self._config.platforms[slug], self._context)
        return self._clients[slug]

    def of(self, kind: type[ClientT]) -> ClientT:
        """The client whose class is `kind`, typed: how a platform's own routes, jobs and
        commands reach their platform's client, with its platform-only methods."""
        slug = next((spec.slug for spec in self._specs.values() if spec.client is kind), None)
        if slug is None:
            raise PlatformNotConfigured(kind.__name__, "no registered platform has this client")
        client = self.client(slug)
        if not isinstance(client, kind):
            raise TypeError(f"{slug}'s client is not a {kind.__name__}")
        return client

    def for_new_room(self, requested: str | None) -> str:
        """The platform a new room gets; it must be configured."""
        slug = requested or self._config.settings.DEFAULT_VIDEO_PLATFORM
        if missing := self.missing(slug):
            raise PlatformNotConfigured(slug, f"not configured; set {', '.join(missing)}")
        return slug

    def for_meeting(self, room: Room) -> tuple[str, str]:
        """The platform for a room's next meeting, and the rule that chose it."""
        settings = self._config.settings
        if settings.DAILY_MIGRATION_ENABLED and str(room.id) in settings.DAILY_MIGRATION_ROOM_IDS:
            return settings.DAILY_MIGRATION_TARGET, "migration"
        return room.platform, "room"

    async def create_meeting(self, room: Room, end_date: datetime) -> MeetingData:
        slug, reason = self.for_meeting(room)
        logger.info("room %s: meeting on %s (%s)", room.name, slug, reason)
        PLATFORM_SELECTIONS.labels(slug, reason).inc()
        try:
            return await self._create_on(slug, room, end_date)
        except PlatformUnavailable as exc:
            fallback = self._config.settings.VIDEO_PLATFORM_FALLBACK
            if not fallback or fallback == slug or not self.is_configured(fallback):
                raise
            logger.warning(
                "room %s: %s unavailable (%s); falling back to %s",
                room.name,
                slug,
                exc.message,
                fallback,
            )
            PLATFORM_FALLBACKS.labels(slug, fallback).inc()
            PLATFORM_SELECTIONS.labels(fallback, "fallback").inc()
            return await self._create_on(fallback, room, end_date)

    async def _create_on(self, slug: str, room: Room, end_date: datetime) -> MeetingData:
        try:
            data = await self.client(slug).create_meeting(room, end_date)
        except PlatformError as exc:
            MEETINGS_FAILED.labels(slug, type(exc).__name__).inc()
            raise
        MEETINGS_CREATED.labels(slug).inc()
        return data.model_copy(update={"platform": slug})

    async def aclose(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()
