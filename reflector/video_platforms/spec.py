"""What the core needs to know about one platform: one line in the registry."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

import click
from fastapi import APIRouter

from reflector.jobs import JobContext, JobSpec, PeriodicSpec
from reflector.video_platforms.base import VideoPlatformClient
from reflector.video_platforms.platform_settings import VideoPlatformConfig

T = TypeVar("T")


class CommandContext(Protocol):
    """What `reflector` hands a platform's commands as click's `obj`."""

    def run(self, work: Callable[[JobContext], Awaitable[T]]) -> T:
        """Run `work` with the process's services on a migrated database."""


@dataclass(frozen=True)
class EmbedSources:
    """What a room page of this platform loads from the platform itself: its embed scripts (in
    order), the origins its frames and connections go to, and
    style sources beyond our own. The page's Content-Security-Policy allows these and nothing
    else outside this service."""

    scripts: tuple[str, ...] = ()
    frames: tuple[str, ...] = ()
    connections: tuple[str, ...] = ()
    styles: tuple[str, ...] = ()


def origin(url: str) -> str:
    """`https://meet.example.com:8443/path` → `https://meet.example.com:8443`, as a
    Content-Security-Policy source names it."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


@dataclass(frozen=True)
class Embed:
    """How the room page shows a meeting: `script`, a file of the platform's package served to
    the page, defines `window.reflectorEmbed(container, join)` (see web/static/room.js), and
    `sources` says what it needs from the platform, given the platform's settings."""

    script: Path
    sources: Callable[[Any], EmbedSources]


@dataclass(frozen=True)
class WebhookRoute:
    """A path under `/v1/<slug>` where the platform's signed events arrive: the core verifies
    each, translates it with the client and hands it to the inbox (`inbox/edge.py`)."""

    path: str
    description: str


@dataclass(frozen=True)
class PlatformSpec:
    """A platform's settings, client, inbound routes, background work and admin commands.

    `webhooks` lists where its events arrive; `router` holds other routes of its own, mounted
    under `/v1/<slug>`; `pages`, pages of the platform's own (a meeting page), under
    `/<slug>`. `commands` is mounted as `reflector <slug> ...`;
    `embed` is how the room page shows its meetings (without one,
    the page offers the link to open). The core schedules the reconciliation of every
    platform whose capabilities, with its settings, include a sessions API.
    """

    slug: str
    # What people call it, in the pages and in `GET /v1/platforms`.
    title: str
    settings: type[VideoPlatformConfig]
    client: type[VideoPlatformClient[Any]]
    webhooks: tuple[WebhookRoute, ...] = ()
    router: APIRouter | None = None
    pages: APIRouter | None = None
    jobs: tuple[JobSpec, ...] = ()
    periodic: tuple[PeriodicSpec, ...] = ()
    commands: click.Group | None = None
    embed: Embed | None = None
    # How often the core reconciles its sessions, where it declares a sessions API.
    reconcile_every_seconds: float = 60.0
