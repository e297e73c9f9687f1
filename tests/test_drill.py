"""The deployment drill: the README's recipe for many processes, run as an operator would.

Two `reflector serve` API processes, two `reflector worker` and one `reflector beat`, all
started at once on a fresh PostgreSQL database (they race to migrate it) with Redis as the
broker, each in its own data directory, sharing one STORAGE_LOCAL_DIR. A storm of signed
participant events goes to both APIs, every event to each of them, while reconciliation
runs; recordings are uploaded to both; the worker processing one is killed with SIGKILL.
Then every meeting's count and every session's times are exactly what the events said, and
each recording has one transcript.
"""

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from reflector.config.loading import Config
from reflector.config.settings import Settings
from reflector.db import Job, JobState, ParticipantSession, Transcript, WebhookEvent
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.rooms.reconcile import reconcile_sessions
from reflector.runtime import Runtime
from reflector.video_platforms.mock import MockSettings
from reflector.video_platforms.registry import PLATFORMS
from tests.servers import (
    RedisServer,
    free_port,
    temporary_postgres_database,
    wait_for_port,
)
from tests.support import MOCK_SECRET, mock_signature, platform_settings

pytestmark = pytest.mark.slow
MEETINGS = 20
PEOPLE = 20
RECORDINGS = 3
DEADLINE_SECONDS = 150


@dataclass
class Deployment:
    """The README's deployment section, on this machine."""

    root: Path
    database_url: str
    broker_url: str
    api_ports: list[int] = field(default_factory=lambda: [free_port(), free_port()])
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def env(self, name: str) -> dict[str, str]:
        data = self.root / name
        data.mkdir(exist_ok=True)
        return {
            "PATH": os.environ["PATH"],
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.broker_url,
            "REFLECTOR_DATA_DIR": str(data),
            "STORAGE_LOCAL_DIR": str(self.root / "shared-storage"),
            "MOCK_STATE_DIR": str(self.root / "mock-platform"),
            "AUTH_BACKEND": "none",
            "MOCK_WEBHOOK_SECRET": MOCK_SECRET,
            "WORKER_CONCURRENCY": "1",
            # Long enough for the transcriber, which can hold the GIL for seconds.
            "JOB_LEASE_SECONDS": "15",
            "JOB_REPUBLISH_SECONDS": "10",
            "OUTBOX_POLL_SECONDS": "0.2",
            "LOG_LEVEL": "WARNING",
        }

    def start(self, name: str, *command: str) -> None:
        reflector = str(Path(sys.executable).parent / "reflector")
        log = (self.root / f"{name}.log").open("wb")
        self.processes[name] = subprocess.Popen(
            [reflector, *command],
            env=self.env(name),
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_all(self) -> None:
        for number, port in enumerate(self.api_ports):
            self.start(f"api-{number}", "serve", "--port", str(port))
        self.start("worker-0", "worker")
        self.start("worker-1", "worker")
        self.start("beat", "beat")
        for port in self.api_ports:
            wait_for_port(port, seconds=60)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.root.glob("*.log"))
        )


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    redis = RedisServer(tmp_path)
    redis.start()
    with temporary_postgres_database("reflector_drill") as url:
        deployment = Deployment(tmp_path, url, redis.url)
        try:
            deployment.start_all()
            yield deployment
        finally:
            deployment.stop_all()
            redis.stop()


@pytest.fixture
async def observer(deployment: Deployment) -> AsyncIterator[Runtime]:
    """A process of our own on the same database, to look and to run reconciliation."""
    settings = Settings(
        _env_file=None,
        DATABASE_URL=deployment.database_url,
        REFLECTOR_DATA_DIR=deployment.root / "observer",
    )
    mock = MockSettings(
        _env_file=None, webhook_secret=MOCK_SECRET, state_dir=deployment.root / "mock-platform"
    )
    platforms = platform_settings(mock=mock)
    runtime = Runtime.open(Config(settings=settings, platforms=platforms), PLATFORMS)
    yield runtime
    await runtime.aclose()


@dataclass(frozen=True)
class Stay:
    room: str
    participant: str
    joined_at: datetime
    left_at: datetime | None


def events_of(stay: Stay) -> list[bytes]:
    def event(kind: str, at: datetime) -> bytes:
        data = {"room_name": stay.room, "participant_id": stay.participant, "user_name": "P"}
        body = {"id": f"{kind}:{stay.room}:{stay.participant}", "type": kind, "data": data}
        return json.dumps({**body, "created_at": at.isoformat()}).encode()

    bodies = [event("participant.joined", stay.joined_at)]
    if stay.left_at is not None:
        bodies.append(event("participant.left", stay.left_at))
    return bodies


async def storm(apis: list[httpx.AsyncClient], bodies: list[bytes]) -> list[int]:
    """Every body to every API, in a shuffled order, 20 at a time."""
    deliveries = [(api, body) for body in bodies for api in apis]
    random.shuffle(deliveries)
    gate = asyncio.Semaphore(20)

    async def send(api: httpx.AsyncClient, body: bytes) -> int:
        async with gate:
            signature = mock_signature(body, int(time.time()))
            answer = await api.post(
                "/v1/mock/webhook", content=body, headers={"X-Mock-Signature": signature}
            )
            return answer.status_code

    return list(await asyncio.gather(*(send(api, body) for api, body in deliveries)))


async def keep_reconciling(runtime: Runtime, stop: asyncio.Event) -> int:
    rounds = 0
    while not stop.is_set():
        await reconcile_sessions(runtime, "mock")
        rounds += 1
        await asyncio.sleep(0.05)
    return rounds


async def kill_the_worker_processing(runtime: Runtime) -> int:
    """SIGKILL the process that holds a transcription job's lease, once it holds one."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        async with runtime.db.read() as session:
            owner = await session.scalar(
                select(Job.lease_owner).where(
                    Job.task == PROCESS_RECORDING.name, Job.state == JobState.RUNNING
                )
            )
        if owner:
            pid = int(owner.split(":")[1])
            os.kill(pid, signal.SIGKILL)
            return pid
        await asyncio.sleep(0.05)
    raise AssertionError("no transcription job started")


async def test_the_deployment_recipe_holds_under_a_storm_and_a_killed_worker(
    deployment: Deployment, observer: Runtime, spoken_video: Path
):
    started = time.monotonic()
    apis = [
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30)
        for port in deployment.api_ports
    ]
    try:
        meetings = []
        for number in range(MEETINGS):
            api = apis[number % 2]
            room = {"name": f"drill-{number}", "platform": "mock"}
            assert (await api.post("/v1/rooms", json=room)).status_code == 201
            meetings.append((await api.post(f"/v1/rooms/drill-{number}/meeting")).json())

        base = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
        stays = [
            Stay(
                meeting["platform_room_name"],
                f"p{person}",
                base + timedelta(seconds=person),
                base + timedelta(seconds=60 + person) if person % 2 else None,
            )
            for meeting in meetings
            for person in range(PEOPLE)
        ]
        bodies = [body for stay in stays for body in events_of(stay)]

        video = await asyncio.to_thread(spoken_video.read_bytes)
        uploads = [
            apis[number % 2].post(
                f"/v1/meetings/{meetings[number]['id']}/recordings",
                files={"file": ("meeting.mp4", video, "video/mp4")},
            )
            for number in range(RECORDINGS)
        ]
        stop = asyncio.Event()
        reconciling = asyncio.create_task(keep_reconciling(observer, stop))
        killing = asyncio.create_task(kill_the_worker_processing(observer))
        statuses, *uploaded = await asyncio.gather(storm(apis, bodies), *uploads)
        stop.set()
        assert await reconciling > 0
        assert set(statuses) == {200}, sorted(set(statuses))
        assert [answer.status_code for answer in uploaded] == [201] * RECORDINGS
        killed = await killing

        recording_ids = [uuid.UUID(answer.json()["id"]) for answer in uploaded]
        while time.monotonic() - started < DEADLINE_SECONDS:
            states = [
                (await apis[0].get(f"/v1/recordings/{recording_id}")).json()["status"]
                for recording_id in recording_ids
            ]
            if all(state in ("done", "failed") for state in states):
                break
            await asyncio.sleep(0.5)
        assert states == ["done"] * RECORDINGS, (killed, states, deployment.logs())

        async with observer.db.read() as session:
            transcripts = await session.execute(
                select(Transcript.recording_id, func.count()).group_by(Transcript.recording_id)
            )
            assert dict(transcripts.all()) == dict.fromkeys(recording_ids, 1)
            stored = await session.scalar(select(func.count()).select_from(WebhookEvent))
            assert stored == len(bodies)
            rows = (await session.scalars(select(ParticipantSession))).all()

        meeting_of = {
            meeting["platform_room_name"]: uuid.UUID(meeting["id"]) for meeting in meetings
        }
        expected = {
            (meeting_of[stay.room], stay.participant): (stay.joined_at, stay.left_at)
            for stay in stays
        }
        assert {
            (row.meeting_id, row.platform_participant_id): (row.joined_at, row.left_at)
            for row in rows
        } == expected
        for meeting in meetings:
            detail = (await apis[1].get(f"/v1/meetings/{meeting['id']}")).json()
            assert detail["num_clients"] == PEOPLE // 2
    finally:
        for api in apis:
            await api.aclose()
    assert time.monotonic() - started < DEADLINE_SECONDS
