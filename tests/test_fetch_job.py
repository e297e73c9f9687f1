"""The fetch stage: a platform's recording link brought into storage once, under its policy."""

import asyncio
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from reflector.app import create_app
from reflector.config.loading import Config
from reflector.db import Job, Meeting, Recording
from reflector.inbox.actions import RecordingReady
from reflector.recordings.announcements import announce
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.recordings.tracks import Track, UrlSource
from reflector.video_platforms.mock import PLATFORM as MOCK
from reflector.video_platforms.mock import MockSettings
from tests.doubles import ECHO, EchoSettings
from tests.support import MOCK_SECRET, api_key_headers, empty_tables, run_queued


@pytest.fixture
def config(settings) -> Config:
    return Config(
        settings=settings.model_copy(update={"FETCH_ALLOW_LOOPBACK_HTTP": True}),
        platforms={
            "mock": MockSettings(_env_file=None, webhook_secret=MOCK_SECRET),
            "echo": EchoSettings(_env_file=None),
        },
    )


@pytest.fixture
async def app(config, clock) -> AsyncIterator[FastAPI]:
    app = create_app(config, specs=(MOCK, ECHO), clock=clock, relay=False)
    async with app.router.lifespan_context(app):
        await empty_tables(app.state.runtime)
        yield app


@pytest.fixture(scope="module")
def file_server(spoken_video) -> Iterator[str]:
    handler = partial(SimpleHTTPRequestHandler, directory=str(spoken_video.parent))
    handler.log_message = lambda *args: None  # type: ignore[method-assign]
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/{spoken_video.name}"
    httpd.shutdown()


@pytest.fixture
def slow_server(spoken_video) -> Iterator[str]:
    """The video served in twenty pieces over about two seconds, with its length."""
    content = spoken_video.read_bytes()

    class Slow(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            step = len(content) // 20 + 1
            for start in range(0, len(content), step):
                self.wfile.write(content[start : start + step])
                self.wfile.flush()
                time.sleep(0.1)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/recording.mp4"
    httpd.shutdown()


async def echo_meeting(client, runtime) -> Meeting:
    headers = await api_key_headers(runtime, "alice")
    await client.post("/v1/rooms", json={"name": "fetched", "platform": "echo"}, headers=headers)
    meeting_id = (await client.post("/v1/rooms/fetched/meeting", headers=headers)).json()["id"]
    async with runtime.db.read() as session:
        return await session.get_one(Meeting, uuid.UUID(meeting_id))


async def queue(runtime, meeting: Meeting, url: str, recording_id: str) -> None:
    track = Track(source=UrlSource(url=url))
    ready = RecordingReady(meeting.platform_room_name, recording_id, (track,), runtime.clock())
    async with runtime.db.write() as session:
        await announce(session, meeting, ready, runtime.clock())


async def test_a_platform_recording_is_fetched_once_and_processed(client, runtime, file_server):
    meeting = await echo_meeting(client, runtime)
    await queue(runtime, meeting, file_server, "rec-1")
    await queue(runtime, meeting, file_server, "rec-1")
    assert await run_queued(runtime, PROCESS_RECORDING) == ["done"]
    async with runtime.db.read() as session:
        [recording] = (await session.scalars(select(Recording))).all()
    assert (recording.platform, recording.platform_recording_id) == ("echo", "rec-1")
    assert recording.status == "done"


async def test_a_fetch_shows_how_far_it_has_come(client, runtime, slow_server):
    meeting = await echo_meeting(client, runtime)
    await queue(runtime, meeting, slow_server, "rec-slow")
    fetching = asyncio.create_task(run_queued(runtime, PROCESS_RECORDING))
    seen = []
    while not fetching.done():
        async with runtime.db.read() as session:
            [recording] = (await session.scalars(select(Recording))).all()
            seen.append((recording.stage, recording.progress))
        await asyncio.sleep(0.2)
    assert await fetching == ["done"]
    partway = [progress for stage, progress in seen if stage == "fetching" and 0 < progress < 1]
    assert partway, seen
    assert partway == sorted(partway)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://downloads.example.com/rec.mp4", "not on the allow-list"),
        ("https://10.0.0.1/rec.mp4", "non-public address"),
    ],
)
async def test_refused_links_fail_with_the_reason_stored(client, runtime, url, reason):
    meeting = await echo_meeting(client, runtime)
    await queue(runtime, meeting, url, "rec-2")
    assert await run_queued(runtime, PROCESS_RECORDING) == ["failed"]
    async with runtime.db.read() as session:
        job = (await session.scalars(select(Job).where(Job.task == PROCESS_RECORDING.name))).one()
        [recording] = (await session.scalars(select(Recording))).all()
    assert reason in (job.error or "")
    assert job.error_class == "permanent"
    assert (recording.status, recording.storage_key) == ("failed", None)
    assert reason in (recording.error or "")
