"""Daily recordings: started by the server on a room's trigger, raw tracks read from our
bucket (the local S3 server) and placed at their offsets, and a lost announcement found by
polling Daily's recordings list."""

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from reflector.config.loading import Config
from reflector.db import Job, Meeting, Recording
from reflector.recordings.starts import START_RECORDING
from reflector.video_platforms.daily.tasks import poll_recordings
from tests.daily_fake import DailyFake
from tests.media import OTHER_SENTENCE, SENTENCE, speech
from tests.servers import s3_client, serving_directory
from tests.support import FakeClock, new_meeting, platform_settings, run_queued
from tests.test_daily_webhooks import body_of, post
from tests.test_platform_daily import daily_settings
from tests.test_recordings import process_queued

BUCKET = "acme-daily-recordings"
ROLE = "arn:aws:iam::123456789012:role/DailyRecordingsWriter"
START_MS = 1772445961284


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 10, 30, tzinfo=UTC))


@pytest.fixture
def fake() -> DailyFake:
    return DailyFake()


@pytest.fixture
def http_transport(fake: DailyFake) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=fake.app())


@pytest.fixture(scope="module")
def voices(media_dir: Path) -> Path:
    directory = media_dir / "daily"
    directory.mkdir(exist_ok=True)
    speech(directory / "ada.wav", SENTENCE)
    speech(directory / "bo.wav", OTHER_SENTENCE)
    return directory


@pytest.fixture(scope="module")
def bucket(s3_endpoint: str, voices: Path) -> str:
    s3 = s3_client(s3_endpoint)
    s3.create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture(scope="module")
def file_server(voices: Path) -> Iterator[str]:
    with serving_directory(voices) as url:
        yield url


@pytest.fixture
def config(settings, s3_endpoint, bucket) -> Config:
    core = settings.model_copy(
        update={
            "DEFAULT_VIDEO_PLATFORM": "daily",
            "FETCH_ALLOW_LOOPBACK_HTTP": True,
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_ACCESS_KEY_ID": SecretStr("test"),
            "S3_SECRET_ACCESS_KEY": SecretStr("test"),
        }
    )
    daily = daily_settings(
        AWS_DAILY_S3_BUCKET=bucket, AWS_DAILY_ROLE_ARN=ROLE, recording_hosts="127.0.0.1"
    )
    return Config(settings=core, platforms=platform_settings(daily=daily))


def joined(room: str, session_id: str, name: str) -> bytes:
    event = json.loads(body_of("webhook_participant_joined", room))
    event["id"] = f"join-{session_id}"
    event["payload"] |= {"session_id": session_id, "user_name": name, "user_id": session_id}
    return json.dumps(event).encode()


async def queued(runtime, name: str) -> int:
    async with runtime.db.read() as session:
        return len((await session.scalars(select(Job.id).where(Job.task == name))).all())


async def test_the_second_participant_starts_cloud_and_raw_track_recordings(
    client, alice, runtime, clock, fake
):
    meeting = await new_meeting(client, alice)  # cloud, automatic-2nd-participant
    room = meeting["platform_room_name"]
    assert fake.rooms[room]["config"]["recordings_bucket"]["bucket_name"] == BUCKET
    await post(client, joined(room, "s-ada", "Ada"), clock)
    assert await queued(runtime, START_RECORDING.name) == 0
    await post(client, joined(room, "s-bo", "Bo"), clock)
    await post(client, joined(room, "s-bo", "Bo"), clock)
    assert await queued(runtime, START_RECORDING.name) == 1

    # Right after the joins Daily may not see the call yet: retried later.
    assert await run_queued(runtime, START_RECORDING) == ["pending"]
    fake.presence[room] = [{"id": "s-ada", "joinTime": "2026-03-02T10:29:00Z"}]
    async with runtime.db.write() as session:
        job = (await session.scalars(select(Job).where(Job.task == START_RECORDING.name))).one()
        job.not_before = clock()
    assert await run_queued(runtime, START_RECORDING) == ["done"]
    kinds = {body["type"]: body["instanceId"] for _, body in fake.started}
    assert set(kinds) == {"cloud", "raw-tracks"}
    assert kinds["cloud"] != kinds["raw-tracks"]


async def test_an_active_stream_counts_as_started(client, alice, runtime, clock, fake):
    meeting = await new_meeting(client, alice, recording_trigger="automatic")
    room = meeting["platform_room_name"]
    fake.presence[room] = [{"id": "s-ada", "joinTime": "2026-03-02T10:29:00Z"}]
    await post(client, joined(room, "s-ada", "Ada"), clock)
    assert await run_queued(runtime, START_RECORDING) == ["done"]
    async with runtime.db.read() as session:
        stored = await session.get_one(Meeting, uuid.UUID(meeting["id"]))
    # Started again (another participant, a retry): "has an active stream", no error.
    await runtime.platforms.client("daily").start_recording(stored)
    assert len(fake.started) == 2


async def test_raw_tracks_become_two_speakers_at_their_offsets(
    client, alice, runtime, clock, s3_endpoint, voices
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    await post(client, joined(room, "s-ada", "Ada"), clock)
    await post(client, joined(room, "s-bo", "Bo"), clock)
    s3 = s3_client(s3_endpoint)
    keys = {
        "s-ada": f"acme/{room}/{START_MS}-s-ada-cam-audio-{START_MS + 400}",
        "s-bo": f"acme/{room}/{START_MS}-s-bo-cam-audio-{START_MS + 9000}",
    }
    s3.put_object(Bucket=BUCKET, Key=keys["s-ada"], Body=(voices / "ada.wav").read_bytes())
    s3.put_object(Bucket=BUCKET, Key=keys["s-bo"], Body=(voices / "bo.wav").read_bytes())
    event = json.loads(body_of("webhook_recording_ready_to_download_raw_tracks", room))
    event["payload"]["tracks"] = [
        {"type": "audio", "s3Key": keys["s-ada"], "size": 1},
        {"type": "video", "s3Key": keys["s-ada"].replace("audio", "video"), "size": 1},
        {"type": "audio", "s3Key": keys["s-bo"], "size": 1},
    ]
    assert (await post(client, json.dumps(event).encode(), clock)).status_code == 200
    assert await process_queued(runtime) == ["done"]
    listed = await client.get(f"/v1/meetings/{meeting['id']}/recordings", headers=alice)
    [recording] = listed.json()
    segments = (
        await client.get(f"/v1/transcripts/{recording['transcript_id']}", headers=alice)
    ).json()["segments"]
    assert {segment["speaker"] for segment in segments} == {"Ada", "Bo"}
    # Bo's track starts 9 s into the recording, and he speaks from its first moment.
    assert min(s["start"] for s in segments if s["speaker"] == "Bo") >= 9


async def test_a_lost_announcement_is_found_by_polling(
    client, alice, runtime, clock, fake, file_server
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    recording = {
        "id": "08fa0b24-9220-44c5-846c-3f116cf8e738",
        "room_name": room,
        "start_ts": int(clock().timestamp()),
        "status": "finished",
        "duration": 5,
        "tracks": [],
    }
    unfinished = {**recording, "id": "f4a50f94", "status": "in-progress", "duration": None}
    fake.recordings = [unfinished, recording]
    fake.download_links[recording["id"]] = f"{file_server}/ada.wav"
    fake.rate_limited = 2  # Daily's 429s are waited out
    assert await poll_recordings(runtime) == 1
    assert await poll_recordings(runtime) == 0
    assert await process_queued(runtime) == ["done"]
    async with runtime.db.read() as session:
        [found] = (await session.scalars(select(Recording))).all()
    assert (found.platform_recording_id, found.status) == (recording["id"], "done")
