from datetime import timedelta

from sqlalchemy import func, select

from reflector import jobs
from reflector.db import Job, JobState, WebhookEvent
from reflector.jobs.retention import remove_expired
from reflector.rooms.lifecycle import DELETE_PLATFORM_ROOM
from tests.support import FakeClock, mock_event, send_mock_event


async def count(runtime, model) -> int:
    async with runtime.db.read() as session:
        return (await session.scalar(select(func.count()).select_from(model))) or 0


async def test_old_events_and_finished_jobs_are_removed_recent_ones_kept(
    client, runtime, clock: FakeClock
):
    await send_mock_event(
        client, mock_event("participant.joined", "nowhere"), int(clock().timestamp())
    )
    async with runtime.db.write() as session:
        finished = await jobs.enqueue(session, DELETE_PLATFORM_ROOM, {}, clock())
        waiting = await jobs.enqueue(session, DELETE_PLATFORM_ROOM, {"x": 1}, clock())
        row = await session.get_one(Job, finished)
        row.state, row.finished_at = JobState.DONE, clock()

    clock.advance(timedelta(days=7, seconds=1).total_seconds())
    await remove_expired(runtime)
    assert await count(runtime, WebhookEvent) == 1
    async with runtime.db.read() as session:
        assert (await session.scalars(select(Job.id))).all() == [waiting]

    clock.advance(timedelta(days=90).total_seconds())
    await remove_expired(runtime)
    assert await count(runtime, WebhookEvent) == 0
    assert await count(runtime, Job) == 1
