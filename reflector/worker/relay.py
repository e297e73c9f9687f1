"""The outbox relay: publishes committed jobs to the broker, and recovers lost ones.

Several relays may run (one per API process and per worker); a conditional update claims
each job for publishing, so a job is published once per attempt. A job whose message was
lost (broker restart, FLUSHALL) is published again after `republish_after`; a job whose
worker died is found by its expired lease, and after three such deaths it is dead.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable, Mapping
from datetime import timedelta

from sqlalchemy import and_, case, or_, select, update

from reflector.db import Database, Job, JobState
from reflector.infra.clock import Clock
from reflector.jobs import GiveUp

logger = logging.getLogger(__name__)
MAX_CRASHES = 3
BATCH = 100

Publish = Callable[[str, uuid.UUID], None]


class Relay:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        publish: Publish,
        *,
        republish_after: timedelta,
        give_up: Mapping[str, GiveUp] | None = None,
    ) -> None:
        self._db = db
        self._give_up = give_up or {}
        self._clock = clock
        self._publish = publish
        self._republish_after = republish_after
        self._wake = db.jobs_committed

    async def run(self, stop: asyncio.Event, poll_seconds: float) -> None:
        while not stop.is_set():
            try:
                published = await self.tick()
            except Exception:
                logger.exception("outbox relay tick failed")
                published = 0
            if published >= BATCH:
                continue
            self._wake.clear()
            waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
            _, pending = await asyncio.wait(
                waiters, timeout=poll_seconds, return_when=asyncio.FIRST_COMPLETED
            )
            for waiter in pending:
                waiter.cancel()

    async def tick(self) -> int:
        await self.sweep()
        claimed = await self._claim_due()
        for index, (task, job_id) in enumerate(claimed):
            try:
                await asyncio.to_thread(self._publish, task, job_id)
            except Exception as exc:
                logger.warning(
                    "broker unavailable, %d jobs wait in the outbox: %s", len(claimed) - index, exc
                )
                await self._unclaim([job for _, job in claimed[index:]])
                return index
        return len(claimed)

    async def sweep(self) -> int:
        """Jobs whose run died (lease expired) go back to pending, or to dead after 3 deaths."""
        now = self._clock()
        dead = Job.crashes + 1 >= MAX_CRASHES
        async with self._db.write() as session:
            result = await session.execute(
                update(Job)
                .where(Job.state == JobState.RUNNING, Job.lease_until < now)
                .values(
                    state=case((dead, JobState.DEAD.value), else_=JobState.PENDING.value),
                    crashes=Job.crashes + 1,
                    finished_at=case((dead, now), else_=None),
                    active_key=case((dead, None), else_=Job.active_key),
                    published_at=None,
                    lease_owner=None,
                    lease_until=None,
                    error="the worker running the job stopped (lease expired)",
                    error_class="crash",
                )
                .returning(Job.id, Job.task, Job.state, Job.args)
            )
            swept = result.all()
            for job_id, task, state, args in swept:
                logger.warning("job %s (%s) lost its worker; now %s", job_id, task, state)
                if state == JobState.DEAD and (hook := self._give_up.get(task)) is not None:
                    await hook(session, dict(args), "the job stopped its worker 3 times")
        return len(swept)

    async def _claim_due(self) -> list[tuple[str, uuid.UUID]]:
        now = self._clock()
        unpublished = or_(
            Job.published_at.is_(None), Job.published_at < now - self._republish_after
        )
        due = and_(Job.state == JobState.PENDING, Job.not_before <= now, unpublished)
        candidates = select(Job.id).where(due).order_by(Job.not_before).limit(BATCH)
        async with self._db.write() as session:
            result = await session.execute(
                update(Job)
                .where(Job.id.in_(candidates.scalar_subquery()), due)
                .values(published_at=now)
                .returning(Job.task, Job.id)
                .execution_options(synchronize_session=False)
            )
            return [(task, job_id) for task, job_id in result]

    async def _unclaim(self, job_ids: list[uuid.UUID]) -> None:
        async with self._db.write() as session:
            await session.execute(
                update(Job)
                .where(Job.id.in_(job_ids), Job.state == JobState.PENDING)
                .values(published_at=None)
                .execution_options(synchronize_session=False)
            )
