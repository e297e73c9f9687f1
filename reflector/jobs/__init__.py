"""Background jobs: what a job is, how one is enqueued, and how its errors are classified.

`enqueue` writes a job row in the caller's transaction (the outbox); the relay publishes it to
the broker after commit. A job's `run` is idempotent: it may be delivered more than once, but
its lease lets only one run at a time, and `done` is final.
"""

import random
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.config.loading import Config
from reflector.db import Database, Job, JobState
from reflector.db.engine import note_jobs_enqueued
from reflector.db.upsert import insert
from reflector.infra.clock import Clock
from reflector.infra.job_errors import PermanentJobError, TransientJobError
from reflector.infra.storage import Storage
from reflector.video_platforms.base import VideoPlatformClient
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from reflector.video_platforms.port import MeetingDesk, RecordingDesk

__all__ = [
    "JobArgs",
    "JobContext",
    "JobSpec",
    "PeriodicSpec",
    "PermanentJobError",
    "TransientJobError",
    "backoff",
    "enqueue",
]

JobArgs = dict[str, Any]
GiveUp = Callable[[AsyncSession, JobArgs, str], Awaitable[None]]
DEFAULT_QUEUE = "reflector"
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 600.0


ClientT = TypeVar("ClientT", bound=VideoPlatformClient[Any])


class PlatformClients(Protocol):
    def client(self, slug: str) -> VideoPlatformClient[Any]: ...

    def of(self, kind: type[ClientT]) -> ClientT: ...

    def settings(self, slug: str) -> VideoPlatformConfig: ...

    def hears_presence(self, slug: str) -> bool: ...


class JobContext(Protocol):
    """What a job may use: a process's services, not its request-side ones (inbox, routes)."""

    @property
    def config(self) -> Config: ...

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def storage(self) -> Storage: ...

    @property
    def platforms(self) -> PlatformClients: ...

    @property
    def recordings(self) -> RecordingDesk: ...

    @property
    def meetings(self) -> MeetingDesk: ...


@dataclass(frozen=True)
class JobSpec:
    """A kind of job: its name on the broker, what it runs, and its limits."""

    name: str
    run: Callable[[JobContext, JobArgs], Awaitable[None]]
    soft_time_limit: int = 60
    time_limit: int = 90
    max_attempts: int = 8
    # Called in the transaction that ends the job as failed or dead, with the reason.
    on_give_up: GiveUp | None = None
    # The broker queue it is published to: workers choose the queues they serve.
    queue: str = DEFAULT_QUEUE


@dataclass(frozen=True)
class PeriodicSpec:
    """Work the scheduler starts every `every_seconds`; it must be safe to overlap and repeat."""

    name: str
    every_seconds: float
    run: Callable[[JobContext], Awaitable[None]]
    soft_time_limit: int = 60
    time_limit: int = 90


async def enqueue(
    session: AsyncSession,
    spec: JobSpec,
    args: JobArgs,
    now: datetime,
    *,
    dedupe_key: str | None = None,
    active_key: str | None = None,
) -> uuid.UUID:
    """Add a job to the caller's transaction. With `dedupe_key`, at most one such job ever
    exists; with `active_key`, at most one that has not ended (pending or running).

    Insert-once (`ON CONFLICT DO NOTHING`), so that concurrent transactions queueing the same
    job neither fail nor queue it twice; the existing job's id is returned.
    """
    job_id = uuid.uuid4()
    inserted = await session.execute(
        insert(session, Job)
        .values(
            id=job_id,
            task=spec.name,
            args=args,
            dedupe_key=dedupe_key,
            active_key=active_key,
            state=JobState.PENDING,
            attempts=0,
            crashes=0,
            not_before=now,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(Job.__table__.c.id)
    )
    if inserted.first() is None:
        taken = Job.dedupe_key == dedupe_key if dedupe_key else Job.active_key == active_key
        return (await session.scalars(select(Job.id).where(taken))).one()
    note_jobs_enqueued(session)
    return job_id


async def active(session: AsyncSession, active_key: str) -> Job | None:
    """The job holding `active_key`: pending or running, not yet ended."""
    return await session.scalar(select(Job).where(Job.active_key == active_key))


def backoff(attempt: int, retry_after: float | None = None) -> timedelta:
    """Exponential backoff with full jitter, never sooner than the server asked."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempt - 1))
    return timedelta(seconds=max(random.uniform(0, ceiling), retry_after or 0.0))
