"""What the core needs to know about one platform: one line in the registry."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

import click
from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.jobs import JobContext, JobSpec, PeriodicSpec
from reflector.video_platforms.base import VideoPlatformClient
from reflector.video_platforms.platform_settings import VideoPlatformConfig

T = TypeVar("T")


class CommandContext(Protocol):
    """What `reflector` hands a platform's commands as click's `obj`."""

    def run(self, work: Callable[[JobContext], Awaitable[T]]) -> T:
        """Run `work` with the process's services on a migrated database."""


# Removes a platform's own rows older than the given time, in the retention transaction.
RemoveExpired = Callable[[AsyncSession, datetime], Awaitable[None]]


@dataclass(frozen=True)
class PlatformSpec:
    """A platform's settings, client, inbound routes, background work and admin commands.

    `commands` is mounted as `reflector <slug> ...`; `remove_expired` keeps the platform's
    own tables as bounded as the inbox (it runs with the inbox's retention cut-off).
    """

    slug: str
    settings: type[VideoPlatformConfig]
    client: type[VideoPlatformClient[Any]]
    router: APIRouter
    jobs: tuple[JobSpec, ...] = ()
    periodic: tuple[PeriodicSpec, ...] = ()
    commands: click.Group | None = None
    remove_expired: RemoveExpired | None = None
