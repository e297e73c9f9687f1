from datetime import timedelta

from sqlalchemy import func, select

from reflector import jobs
from reflector.db import Job, JobState, WebhookEvent
from reflector.retention import remove_expired
from reflector.rooms.lifecycle import DELETE_PLATFORM_ROOM
from reflector.video_platforms.mock.presence import MockPresence
from reflector.video_platforms.registry import PLATFORMS
from reflector.worker.celery_app import periodic_specs
from tests.support import FakeClock, mock_event, mock_signature, send_mock_event


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


async def test_the_mock_platforms_presence_is_kept_as_long_as_the_inbox(
    client, runtime, clock: FakeClock
):
    body = mock_event("participant.joined", "nowhere", at=clock())
    headers = {"X-Mock-Signature": mock_signature(body, int(clock().timestamp()))}
    assert (
        await client.post("/v1/mock/presence", content=body, headers=headers)
    ).status_code == 204
    retention = retention_job(runtime)
    clock.advance(timedelta(days=89).total_seconds())
    await retention(runtime)
    assert await count(runtime, MockPresence) == 1
    clock.advance(timedelta(days=1, seconds=1).total_seconds())
    await retention(runtime)
    assert await count(runtime, MockPresence) == 0


def retention_job(runtime):
    [job] = [
        task.run
        for task in periodic_specs(runtime.config, PLATFORMS)
        if task.name == "reflector.remove_expired"
    ]
    return job
