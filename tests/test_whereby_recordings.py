"""Whereby's recordings reach us three ways, each enough alone, all together one recording:
the `recording.finished` webhook, S3's ObjectCreated notifications through SQS (the local
moto server), and a rescan of the bucket. And a room moved to Daily by the migration flags
still hears Whereby about its meeting in progress."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import boto3
import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from reflector.config.loading import Config
from reflector.db import Recording, WebhookEvent
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.video_platforms.whereby.bucket import read_notifications, rescan
from tests.daily_fake import DailyFake
from tests.servers import s3_client
from tests.support import FakeClock, new_meeting, platform_settings, run_queued
from tests.test_platform_daily import daily_settings
from tests.test_platform_whereby import FIXTURE_ROOM, post, whereby_settings
from tests.whereby_fake import WherebyFake, fixture

STARTED = "2026-03-02T10:06:01Z"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 10, 52, tzinfo=UTC))


@pytest.fixture
def fake() -> WherebyFake:
    return WherebyFake()


class _ByHost(httpx.AsyncBaseTransport):
    """Each vendor's fake behind its own API host."""

    def __init__(self, **hosts: httpx.AsyncBaseTransport) -> None:
        self._hosts = hosts

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self._hosts[request.url.host].handle_async_request(request)


@pytest.fixture
def http_transport(fake: WherebyFake) -> httpx.AsyncBaseTransport:
    return _ByHost(
        **{
            "api.whereby.test": httpx.ASGITransport(app=fake.app()),
            "api.daily.test": httpx.ASGITransport(app=DailyFake().app()),
        }
    )


def _sqs(endpoint: str) -> Any:
    return boto3.client(
        "sqs",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


@pytest.fixture
def queue(s3_endpoint: str) -> str:
    url: str = _sqs(s3_endpoint).create_queue(QueueName=f"whereby-{uuid.uuid4().hex[:8]}")[
        "QueueUrl"
    ]
    return url


@pytest.fixture
def bucket(s3_endpoint: str) -> str:
    """A bucket of the test's own: a rescan sees everything in it."""
    name = f"acme-whereby-{uuid.uuid4().hex[:8]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture
def config(settings, s3_endpoint, bucket, queue) -> Config:
    core = settings.model_copy(
        update={
            "DEFAULT_VIDEO_PLATFORM": "whereby",
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_ACCESS_KEY_ID": SecretStr("storage"),
            "S3_SECRET_ACCESS_KEY": SecretStr("storage"),
        }
    )
    whereby = whereby_settings(
        AWS_WHEREBY_S3_BUCKET=bucket,
        AWS_WHEREBY_ACCESS_KEY_ID="test",
        AWS_WHEREBY_ACCESS_KEY_SECRET="test",
        AWS_WHEREBY_SQS_QUEUE_URL=queue,
    )
    platforms = platform_settings(whereby=whereby, daily=daily_settings())
    return Config(settings=core, platforms=platforms)


def recording_key(room: str) -> str:
    return f"{room.lstrip('/')}-{STARTED}.mp4"


def put_recording(s3_endpoint: str, bucket: str, key: str, content: bytes) -> None:
    s3_client(s3_endpoint).put_object(Bucket=bucket, Key=key, Body=content)


def notify(s3_endpoint: str, queue: str, bucket: str, key: str) -> None:
    """What S3 sends SQS for a new object: the key URL-encoded, ":" as %3A (§5.3)."""
    event = fixture("s3_event_notification_recording_created")
    record = event["Records"][0]
    record["s3"]["bucket"]["name"] = bucket
    record["s3"]["object"]["key"] = quote(key, safe="/")
    _sqs(s3_endpoint).send_message(QueueUrl=queue, MessageBody=json.dumps(event))


async def finished(client, clock, room: str) -> httpx.Response:
    body = json.dumps(fixture("webhook_recording_finished")).replace(FIXTURE_ROOM[1:], room[1:])
    return await post(client, body.encode(), clock)


async def recordings(runtime) -> list[Recording]:
    async with runtime.db.read() as session:
        return list((await session.scalars(select(Recording))).all())


def queue_is_empty(s3_endpoint: str, queue: str) -> bool:
    attributes = _sqs(s3_endpoint).get_queue_attributes(
        QueueUrl=queue, AttributeNames=["ApproximateNumberOfMessages"]
    )
    return attributes["Attributes"]["ApproximateNumberOfMessages"] == "0"


@pytest.mark.parametrize("way", ["webhook", "queue", "rescan"])
async def test_each_way_alone_brings_the_recording_in(
    way, client, alice, runtime, clock, s3_endpoint, bucket, queue, silent_recording
):
    room = (await new_meeting(client, alice, room=f"by-{way}"))["platform_room_name"]
    key = recording_key(room)
    put_recording(s3_endpoint, bucket, key, silent_recording)
    if way == "webhook":
        assert (await finished(client, clock, room)).json()["status"] == "processed"
    elif way == "queue":
        notify(s3_endpoint, queue, bucket, key)
        assert await read_notifications(runtime) == 1
        assert queue_is_empty(s3_endpoint, queue)
    else:
        assert await rescan(runtime) == 1
    [recording] = await recordings(runtime)
    assert (recording.platform_recording_id, recording.status) == (key, "received")
    assert await run_queued(runtime, PROCESS_RECORDING) == ["done"]
    [fetched] = await recordings(runtime)
    assert fetched.size == len(silent_recording)


async def test_all_three_ways_together_make_one_recording(
    client, alice, runtime, clock, s3_endpoint, bucket, queue, silent_recording
):
    room = (await new_meeting(client, alice, room="all-ways"))["platform_room_name"]
    key = recording_key(room)
    put_recording(s3_endpoint, bucket, key, silent_recording)
    notify(s3_endpoint, queue, bucket, key)
    notify(s3_endpoint, queue, bucket, key)  # S3 delivers at least once
    assert (await finished(client, clock, room)).status_code == 200
    assert await read_notifications(runtime) == 2
    assert await rescan(runtime) == 0  # nothing left that no way brought
    [recording] = await recordings(runtime)
    assert recording.platform_recording_id == key
    assert await run_queued(runtime, PROCESS_RECORDING) == ["done"]


async def test_an_object_of_no_meeting_of_ours_is_parked(runtime, s3_endpoint, bucket, queue):
    key = f"somebody-else-{uuid.uuid4()}-{STARTED}.mp4"
    put_recording(s3_endpoint, bucket, key, b"not ours")
    notify(s3_endpoint, queue, bucket, key)
    notify(s3_endpoint, queue, bucket, "notes.txt")  # not a recording
    notify(s3_endpoint, queue, "another-bucket", key)  # not our bucket
    assert await read_notifications(runtime) == 1
    assert queue_is_empty(s3_endpoint, queue)
    assert await recordings(runtime) == []
    async with runtime.db.read() as session:
        [parked] = (await session.scalars(select(WebhookEvent))).all()
    assert (parked.event_key, parked.status) == (f"s3:{key}", "parked")
    assert await rescan(runtime) == 0  # known already: not stored again


async def test_a_moved_room_still_hears_whereby_about_its_meeting_in_progress(
    client, alice, runtime, clock, fake
):
    room = (await client.post("/v1/rooms", json={"name": "moving"}, headers=alice)).json()
    old = (await client.post("/v1/rooms/moving/meeting", headers=alice)).json()
    assert old["platform"] == "whereby"
    flags = {"DAILY_MIGRATION_ENABLED": True, "DAILY_MIGRATION_ROOM_IDS": frozenset({room["id"]})}
    moved = runtime.config.settings.model_copy(update=flags)
    object.__setattr__(runtime.config, "settings", moved)

    again = (await client.post("/v1/rooms/moving/meeting", headers=alice)).json()
    assert again["id"] == old["id"]
    joined = fixture("webhook_room_client_joined")
    joined["data"]["roomName"] = old["platform_room_name"]
    assert (await post(client, json.dumps(joined).encode(), clock)).json()["status"] == (
        "processed"
    )
    detail = (await client.get(f"/v1/meetings/{old['id']}", headers=alice)).json()
    assert detail["num_clients"] == 1
    await client.post(f"/v1/meetings/{old['id']}/end", headers=alice)
    new = (await client.post("/v1/rooms/moving/meeting", headers=alice)).json()
    assert new["platform"] == "daily"
    assert new["room_id"] == old["room_id"] == room["id"]
