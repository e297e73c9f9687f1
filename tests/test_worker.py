"""The worker engine with real worker processes, on the SQLite broker and on Redis.

Workers run as subprocesses (`tests/worker_main.py`) with a 2-second lease, so that crash
recovery shows within a test; every wait is bounded.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import select

from reflector import jobs
from reflector.app import create_app
from reflector.config.loading import Config
from reflector.config.settings import Settings
from reflector.db import Job, JobState
from reflector.infra.clock import utcnow
from reflector.rooms.lifecycle import DELETE_PLATFORM_ROOM
from reflector.runtime import Runtime
from reflector.video_platforms.mock import MockSettings
from reflector.video_platforms.registry import PLATFORMS
from reflector.worker.celery_app import make_celery
from reflector.worker.processes import make_relay
from tests.media import SENTENCE, video_with_speech, word_share
from tests.servers import RedisServer
from tests.support import (
    MOCK_SECRET,
    api_key_headers,
    empty_tables,
    mock_event,
    new_meeting,
    platform_settings,
    send_mock_event,
)
from tests.worker_jobs import BROKEN, FLAKY, JOBS_PLATFORM, POISON, RECORD

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@dataclass
class Stack:
    database_url: str
    broker_url: str
    directory: Path
    redis: RedisServer | None
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.broker_url,
            "REFLECTOR_DATA_DIR": str(self.directory),
            "MOCK_WEBHOOK_SECRET": MOCK_SECRET,
            "DEFAULT_VIDEO_PLATFORM": "mock",
            "JOB_LEASE_SECONDS": "2",
            "OUTBOX_POLL_SECONDS": "0.2",
            "JOB_REPUBLISH_SECONDS": "10",
            "LIFECYCLE_INTERVAL_SECONDS": "0.5",
            "MEETING_EMPTY_GRACE_SECONDS": "1",
            "LOG_LEVEL": "INFO",
            "WORKER_CONCURRENCY": "1",
        }

    def config(self) -> Config:
        settings = Settings(
            _env_file=None,
            **{k: v for k, v in self.env().items() if k in Settings.model_fields},
        )
        return Config(
            settings=settings,
            platforms=platform_settings(
                mock=MockSettings(_env_file=None, webhook_secret=MOCK_SECRET)
            ),
        )

    def start_worker(self, *extra: str, **env: str) -> subprocess.Popen[bytes]:
        log = (self.directory / f"worker-{len(self.workers)}.log").open("wb")
        worker = subprocess.Popen(
            [sys.executable, "-m", "tests.worker_main", *extra],
            cwd=self.directory,
            env=self.env() | env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)


@pytest.fixture(
    params=[("sqlite", "sqlite"), ("postgresql", "redis")],
    ids=["sqlite-db-sqlite-broker", "postgresql-db-redis-broker"],
)
def stack(request, migrated_urls, redis_server, tmp_path) -> Iterator[Stack]:
    database, broker = request.param
    broker_url = (
        redis_server.url if broker == "redis" else f"sqlite:///{tmp_path / 'broker.sqlite3'}"
    )
    stack = Stack(
        migrated_urls[database], broker_url, tmp_path, redis_server if broker == "redis" else None
    )
    if stack.redis is not None and stack.redis.process is None:
        stack.redis.start()
    yield stack
    stack.stop_all()


@pytest.fixture
async def runtime(stack: Stack) -> AsyncIterator[Runtime]:
    runtime = Runtime.open(stack.config(), PLATFORMS, clock=utcnow)
    await empty_tables(runtime)
    yield runtime
    await runtime.aclose()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    for _ in range(int(seconds / 0.2)):
        if await check():
            return
        await asyncio.sleep(0.2)
    assert await check(), f"not within {seconds} s: {what}"


async def enqueue(runtime: Runtime, spec: jobs.JobSpec, **args: object) -> uuid.UUID:
    async with runtime.db.write() as session:
        return await jobs.enqueue(session, spec, dict(args), runtime.clock())


async def job(runtime: Runtime, job_id: uuid.UUID) -> Job:
    async with runtime.db.read() as session:
        return await session.get_one(Job, job_id)


def in_state(runtime: Runtime, job_id: uuid.UUID, state: JobState) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return (await job(runtime, job_id)).state == state

    return check


def lines(path: Path, prefix: str) -> list[str]:
    return (
        [line for line in path.read_text().splitlines() if line.startswith(prefix)]
        if path.exists()
        else []
    )


async def test_a_job_runs_after_commit_and_never_after_rollback(stack, runtime, tmp_path):
    log = tmp_path / "runs.log"
    stack.start_worker()
    committed = await enqueue(runtime, RECORD, path=str(log), label="committed")

    async def enqueue_then_fail() -> None:
        async with runtime.db.write() as session:
            args = {"path": str(log), "label": "rolled-back"}
            await jobs.enqueue(session, RECORD, args, runtime.clock())
            raise RuntimeError("the request failed after enqueueing")

    with pytest.raises(RuntimeError):
        await enqueue_then_fail()
    await eventually(in_state(runtime, committed, JobState.DONE), 30, "committed job done")
    await asyncio.sleep(1.5)
    assert lines(log, "end") == ["end committed"]
    async with runtime.db.read() as session:
        assert (await session.scalars(select(Job.id))).all() == [committed]


@pytest.mark.parametrize("victim", ["whole-worker", "pool-child"])
async def test_a_killed_worker_loses_no_job_and_runs_it_to_completion_once(
    stack, runtime, tmp_path, victim
):
    log = tmp_path / "runs.log"
    first = stack.start_worker()
    job_id = await enqueue(runtime, RECORD, path=str(log), label="long", sleep=4)
    await eventually(lambda: _true(bool(lines(log, "start long"))), 30, "job started")
    if victim == "whole-worker":
        stack.kill(first)
        stack.start_worker()
    else:
        child = int(lines(log, "start long")[0].split()[2])
        os.kill(child, signal.SIGKILL)
    await eventually(in_state(runtime, job_id, JobState.DONE), 45, "job done after the kill")
    await asyncio.sleep(1)
    assert lines(log, "end") == ["end long"]
    assert len(lines(log, "start long")) == 2
    finished = await job(runtime, job_id)
    assert (finished.attempts, finished.crashes) == (2, 1)


async def test_errors_are_retried_by_class(stack, runtime, tmp_path):
    log = tmp_path / "runs.log"
    stack.start_worker()
    broken = await enqueue(runtime, BROKEN, path=str(log), label="broken")
    flaky = await enqueue(runtime, FLAKY, path=str(log), label="flaky", fail_times=2)
    await eventually(in_state(runtime, broken, JobState.FAILED), 30, "permanent error fails")
    await eventually(in_state(runtime, flaky, JobState.DONE), 45, "transient error retried")
    failed = await job(runtime, broken)
    assert (failed.attempts, failed.error_class) == (1, "permanent")
    assert "this input can never work" in (failed.error or "")
    assert len(lines(log, "start broken")) == 1
    assert (await job(runtime, flaky)).attempts == 3


async def test_a_poison_job_goes_dead_while_others_complete(stack, runtime, tmp_path):
    log = tmp_path / "runs.log"
    stack.start_worker()
    poison = await enqueue(runtime, POISON, path=str(log), label="poison")
    healthy = [await enqueue(runtime, RECORD, path=str(log), label=f"ok-{i}") for i in range(3)]
    await eventually(in_state(runtime, poison, JobState.DEAD), 60, "poison job dead")
    for job_id in healthy:
        await eventually(in_state(runtime, job_id, JobState.DONE), 30, "healthy job done")
    dead = await job(runtime, poison)
    assert dead.crashes == 3
    assert len(lines(log, "start poison")) == 3


async def _true(value: bool) -> bool:
    return value


@pytest.fixture
def redis_stack(migrated_urls, redis_server, tmp_path) -> Iterator[Stack]:
    if redis_server.process is None:
        redis_server.start()
    stack = Stack(migrated_urls["postgresql"], redis_server.url, tmp_path, redis_server)
    yield stack
    stack.stop_all()
    if redis_server.process is None:
        redis_server.start()


@pytest.fixture
async def api(request) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str], Runtime]]:
    """The API in this process, with its outbox relay, on the stack's database and broker."""
    stack: Stack = request.getfixturevalue(request.param)
    app = create_app(stack.config())
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        await empty_tables(runtime)
        headers = await api_key_headers(runtime, "alice")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            yield client, headers, runtime


async def deletion_job(runtime: Runtime) -> Job | None:
    async with runtime.db.read() as session:
        return await session.scalar(select(Job).where(Job.task == DELETE_PLATFORM_ROOM.name))


def job_done(runtime: Runtime) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        found = await deletion_job(runtime)
        return found is not None and found.state == JobState.DONE

    return check


@pytest.mark.parametrize("api", ["redis_stack"], indirect=True)
async def test_webhooks_are_answered_while_redis_is_down_and_their_jobs_run_after(redis_stack, api):
    client, alice, runtime = api
    meeting = await new_meeting(client, alice)
    assert redis_stack.redis is not None
    redis_stack.redis.stop()

    ended = mock_event("meeting.ended", meeting["platform_room_name"], at=utcnow())
    response = await send_mock_event(client, ended, int(time.time()))
    assert response.status_code == 200

    async def waiting_in_the_outbox() -> bool:
        job = await deletion_job(runtime)
        return job is not None and (job.state, job.published_at) == (JobState.PENDING, None)

    await asyncio.sleep(1)
    await eventually(waiting_in_the_outbox, 15, "the relay gave the job back to the outbox")

    redis_stack.redis.start()
    redis_stack.start_worker()
    await eventually(job_done(runtime), 40, "the job ran once Redis was back")


@pytest.mark.parametrize("api", ["stack"], indirect=True)
async def test_a_meeting_left_empty_ends_by_itself(stack, api):
    client, alice, runtime = api
    stack.start_worker("--beat")
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    now = utcnow()
    await send_mock_event(client, mock_event("participant.joined", room, at=now), int(time.time()))
    await send_mock_event(client, mock_event("participant.left", room, at=now), int(time.time()))

    async def ended() -> bool:
        detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
        return bool(detail["state"] == "ended")

    await eventually(ended, 40, "the meeting ended after the grace period")
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert detail["end_reason"] == "empty"
    await eventually(job_done(runtime), 30, "its platform room was deleted")


async def test_jobs_whose_messages_redis_lost_are_published_again(redis_stack, tmp_path):
    log = tmp_path / "runs.log"
    runtime = Runtime.open(redis_stack.config(), PLATFORMS, clock=utcnow)
    try:
        await empty_tables(runtime)
        config = redis_stack.config()
        specs = [*PLATFORMS, JOBS_PLATFORM]
        relay = make_relay(config, specs, runtime.db, make_celery(config, PLATFORMS))
        job_id = await enqueue(runtime, RECORD, path=str(log), label="flushed")
        assert await relay.tick() == 1
        redis_client = redis.Redis.from_url(redis_stack.broker_url)
        assert redis_client.llen("reflector") == 1
        redis_client.flushall()
        redis_stack.start_worker()
        await eventually(in_state(runtime, job_id, JobState.DONE), 40, "republished and run")
        assert lines(log, "end") == ["end flushed"]
    finally:
        await runtime.aclose()


@pytest.mark.parametrize("api", ["stack"], indirect=True)
async def test_an_uploaded_recording_is_transcribed_by_a_worker(stack, api, tmp_path):
    client, alice, _ = api
    # The transcriber may hold the GIL for seconds at a time, longer than the 2 s lease the
    # crash tests use; a production lease is 60 s.
    stack.start_worker(JOB_LEASE_SECONDS="30")
    meeting = await new_meeting(client, alice)
    video = video_with_speech(tmp_path)
    files = {"file": ("meeting.mp4", video.read_bytes(), "video/mp4")}
    created = await client.post(
        f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice
    )
    assert created.status_code == 201, created.text

    async def transcribed() -> bool:
        recording = (
            await client.get(f"/v1/recordings/{created.json()['id']}", headers=alice)
        ).json()
        return bool(recording["status"] == "done")

    await eventually(transcribed, 60, "the worker transcribed the upload")
    recording = (await client.get(f"/v1/recordings/{created.json()['id']}", headers=alice)).json()
    text = (
        await client.get(f"/v1/transcripts/{recording['transcript_id']}?format=txt", headers=alice)
    ).text
    assert word_share(SENTENCE, text) >= 0.18, text
