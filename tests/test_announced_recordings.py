"""Recordings a platform announces (the mock's `recording.ready`), end to end: tracks fetched
from a local file server or the local S3 server, merged by their offsets, and found by
polling the platform's API when the announcement never came."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import func, select

from reflector.app import create_app
from reflector.config.loading import Config
from reflector.db import Job, Recording, Transcript
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.video_platforms.mock import MockSettings
from reflector.video_platforms.mock.tasks import poll_recordings
from reflector.video_platforms.mock.vendor import MockVendor
from tests.media import OTHER_SENTENCE, SENTENCE, speech
from tests.servers import s3_client, serving_directory
from tests.support import (
    MOCK_API_KEY,
    MOCK_API_URL,
    MOCK_SECRET,
    empty_tables,
    mock_event,
    mock_recording_ready,
    new_meeting,
    platform_settings,
    run_queued,
    send_mock_event,
)
from tests.test_recordings import process_queued

BUCKET = "mock-recordings"


@pytest.fixture(scope="module")
def tracks_dir(media_dir: Path) -> Path:
    directory = media_dir / "announced"
    directory.mkdir(exist_ok=True)
    speech(directory / "ann.wav", SENTENCE)
    speech(directory / "bob.wav", OTHER_SENTENCE)
    return directory


@pytest.fixture(scope="module")
def file_server(tracks_dir: Path) -> Iterator[str]:
    with serving_directory(tracks_dir) as url:
        yield url


@pytest.fixture(scope="module")
def bucket(s3_endpoint: str, tracks_dir: Path) -> str:
    s3 = s3_client(s3_endpoint)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="rooms/r1/ann.wav", Body=(tracks_dir / "ann.wav").read_bytes())
    s3.create_bucket(Bucket="somebody-elses")
    return BUCKET


@pytest.fixture
def vendor() -> MockVendor:
    return MockVendor(MOCK_API_KEY)


@pytest.fixture
def config(settings, s3_endpoint, bucket) -> Config:
    core = settings.model_copy(
        update={
            "FETCH_ALLOW_LOOPBACK_HTTP": True,
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_ACCESS_KEY_ID": SecretStr("test"),
            "S3_SECRET_ACCESS_KEY": SecretStr("test"),
        }
    )
    mock = MockSettings(
        _env_file=None,
        webhook_secret=MOCK_SECRET,
        api_url=MOCK_API_URL,
        api_key=MOCK_API_KEY,
        recording_hosts="127.0.0.1",
        recording_buckets=bucket,
    )
    return Config(settings=core, platforms=platform_settings(mock=mock))


@pytest.fixture
async def app(config, clock, vendor) -> AsyncIterator[FastAPI]:
    transport = httpx.ASGITransport(app=vendor.app())
    app = create_app(config, clock=clock, http_transport=transport, relay=False)
    async with app.router.lifespan_context(app):
        await empty_tables(app.state.runtime)
        yield app


def ann_and_bob(server: str) -> list[dict[str, object]]:
    return [
        {"url": f"{server}/ann.wav", "participant_id": "p-ann", "offset_seconds": 0},
        {"url": f"{server}/bob.wav", "participant_id": "p-bob", "offset_seconds": 7},
    ]


async def recordings_of(runtime) -> list[Recording]:
    async with runtime.db.read() as session:
        return list((await session.scalars(select(Recording))).all())


async def test_two_tracks_give_two_speakers_placed_at_their_offsets(
    client, alice, runtime, clock, file_server
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    # Bob's name is known only from his session; Ann's comes with her track.
    joined = mock_event("participant.joined", room, "p-bob", user_name="Bob")
    assert (await send_mock_event(client, joined, int(clock().timestamp()))).status_code == 200
    tracks = ann_and_bob(file_server)
    tracks[0]["user_name"] = "Ann"
    body = mock_recording_ready(room, "rec-1", tracks)
    answer = await send_mock_event(client, body, int(clock().timestamp()))
    assert answer.json()["status"] == "processed"

    assert await process_queued(runtime) == ["done"]
    [recording] = (
        await client.get(f"/v1/meetings/{meeting['id']}/recordings", headers=alice)
    ).json()
    assert (recording["status"], recording["tracks"]) == ("done", 2)
    segments = (
        await client.get(f"/v1/transcripts/{recording['transcript_id']}", headers=alice)
    ).json()["segments"]
    assert {segment["speaker"] for segment in segments} == {"Ann", "Bob"}
    assert min(s["start"] for s in segments if s["speaker"] == "Bob") >= 7
    assert min(s["start"] for s in segments if s["speaker"] == "Ann") < 2


async def test_one_recording_however_often_it_is_announced(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    now = int(clock().timestamp())
    tracks = ann_and_bob("https://127.0.0.1")
    same = mock_recording_ready(room, "rec-2", tracks, event_id="evt-rec-2")
    bodies = [same] * 5 + [mock_recording_ready(room, "rec-2", tracks) for _ in range(5)]
    answers = await asyncio.gather(*(send_mock_event(client, body, now) for body in bodies))
    assert {answer.status_code for answer in answers} == {200}
    assert len(await recordings_of(runtime)) == 1
    async with runtime.db.read() as session:
        fetches = select(func.count()).where(Job.task == PROCESS_RECORDING.name)
        assert await session.scalar(fetches) == 1


async def test_announced_before_anyone_joined_and_after_the_end(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    now = int(clock().timestamp())
    early = mock_recording_ready(room, "rec-early", ann_and_bob("https://127.0.0.1"))
    assert (await send_mock_event(client, early, now)).json()["status"] == "processed"
    await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
    late = mock_recording_ready(room, "rec-late", ann_and_bob("https://127.0.0.1"))
    assert (await send_mock_event(client, late, now)).json()["status"] == "processed"
    again = mock_recording_ready(room, "rec-late", ann_and_bob("https://127.0.0.1"))
    assert (await send_mock_event(client, again, now)).json()["status"] == "processed"
    found = sorted(r.platform_recording_id or "" for r in await recordings_of(runtime))
    assert found == ["rec-early", "rec-late"]


async def test_a_poll_finds_a_recording_whose_announcement_was_lost(
    client, alice, runtime, vendor, file_server
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    finished = {"id": "rec-lost", "room_name": room, "tracks": ann_and_bob(file_server)}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=vendor.app()),
        headers={"Authorization": f"Bearer {MOCK_API_KEY}"},
        base_url=MOCK_API_URL,
    ) as platform:
        assert (await platform.post("/recordings", json=finished)).status_code == 201
    assert await poll_recordings(runtime) == 1
    assert await poll_recordings(runtime) == 0
    assert await process_queued(runtime) == ["done"]
    [recording] = await recordings_of(runtime)
    assert (recording.platform_recording_id, recording.status) == ("rec-lost", "done")


async def test_a_track_from_an_allowed_bucket(client, alice, runtime, clock, bucket):
    meeting = await new_meeting(client, alice)
    track = {"url": f"s3://{bucket}/rooms/r1/ann.wav", "user_name": "Ann"}
    body = mock_recording_ready(meeting["platform_room_name"], "rec-s3", [track])
    await send_mock_event(client, body, int(clock().timestamp()))
    assert await process_queued(runtime) == ["done"]
    [recording] = await recordings_of(runtime)
    assert recording.status == "done"
    assert recording.storage_key == f"recordings/{recording.id}/track-0.wav"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"s3://{BUCKET}/rooms/../r1/ann.wav", "has a '..' segment"),
        (f"s3://{BUCKET}//rooms/r1/ann.wav", "is not an object key"),
        ("s3://somebody-elses/rooms/r1/ann.wav", "is not one this platform may use"),
        ("https://downloads.example.com/ann.wav", "not on the allow-list"),
    ],
)
async def test_refused_tracks_fail_the_recording_and_fetch_nothing(
    client, alice, runtime, clock, bucket, file_server, url, reason
):
    meeting = await new_meeting(client, alice)
    tracks = [{"url": f"{file_server}/bob.wav"}, {"url": url}]
    body = mock_recording_ready(meeting["platform_room_name"], "rec-bad", tracks)
    await send_mock_event(client, body, int(clock().timestamp()))
    assert await run_queued(runtime, PROCESS_RECORDING) == ["failed"]
    [recording] = await recordings_of(runtime)
    assert recording.status == "failed"
    assert reason in (recording.error or "")
    assert recording.storage_key is None
    assert not list((Path(runtime.config.settings.REFLECTOR_DATA_DIR) / "storage").rglob("*.wav"))


async def test_a_refused_participants_track_is_never_fetched(
    client, alice, bob, runtime, clock, file_server
):
    meeting = await new_meeting(
        client, alice, "asked", consent="ask", consent_default="agree", is_shared=True
    )
    refused = {"answer": "refuse"}
    await client.post(f"/v1/meetings/{meeting['id']}/consent", json=refused, headers=bob)
    # The platform knows Bob's connection by his name; his track names only the connection.
    joined = mock_event(
        "participant.joined", meeting["platform_room_name"], "p-bob", user_name="bob"
    )
    assert (await send_mock_event(client, joined, int(clock().timestamp()))).status_code == 200
    body = mock_recording_ready(
        meeting["platform_room_name"], "rec-asked", ann_and_bob(file_server)
    )
    await send_mock_event(client, body, int(clock().timestamp()))

    assert await process_queued(runtime) == ["done"]
    [recording] = await recordings_of(runtime)
    assert [track["participant_id"] for track in recording.tracks] == ["p-ann"]
    assert recording.consent["withheld"] == ["bob"]
    async with runtime.db.read() as session:
        transcript = await session.scalar(select(Transcript))
    assert {segment["speaker"] for segment in transcript.segments} == {"Speaker 1"}
    assert "budget" not in transcript.text
