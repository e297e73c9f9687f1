"""Daily's webhooks through HTTP: the contract's signature vector, every fixture signed with
the real algorithm, and exactly 200 for every authentic body (contracts/daily.md §6)."""

import asyncio
import base64
import json
import random
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, select

from reflector.config.loading import Config
from reflector.db import ParticipantSession, Recording, WebhookEvent
from reflector.recordings.tracks import load
from reflector.rooms.reconcile import reconcile_sessions
from tests.daily_fake import DailyFake, fixture
from tests.support import FakeClock, new_meeting, platform_settings
from tests.test_platform_daily import WEBHOOK_SECRET, daily_settings, signed

FIXTURE_ROOM = "team-standup-20260302100000"
EVENTS = (
    "webhook_meeting_started",
    "webhook_participant_joined",
    "webhook_participant_left",
    "webhook_recording_started",
    "webhook_recording_ready_to_download_cloud",
    "webhook_recording_ready_to_download_raw_tracks",
    "webhook_recording_error",
    "webhook_meeting_ended",
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 10, 30, tzinfo=UTC))


@pytest.fixture
def config(settings) -> Config:
    daily = daily_settings(
        AWS_DAILY_S3_BUCKET="acme-daily-recordings",
        AWS_DAILY_ROLE_ARN="arn:aws:iam::123456789012:role/DailyRecordingsWriter",
    )
    update = {"DEFAULT_VIDEO_PLATFORM": "daily"}
    return Config(
        settings=settings.model_copy(update=update), platforms=platform_settings(daily=daily)
    )


@pytest.fixture
def http_transport() -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=DailyFake().app())


def body_of(name: str, room: str) -> bytes:
    return json.dumps(fixture(name)).replace(FIXTURE_ROOM, room).encode()


async def post(client, body: bytes, clock: FakeClock, **kwargs) -> httpx.Response:
    headers = signed(body, str(int(clock().timestamp())), **kwargs)
    return await client.post("/v1/daily/webhook", content=body, headers=headers)


async def count(runtime, model) -> int:
    async with runtime.db.read() as session:
        return (await session.scalar(select(func.count()).select_from(model))) or 0


def test_the_contracts_signature_vector(runtime, clock):
    vector = fixture("signature_test_vector")
    settings = daily_settings(webhook_secret=vector["hmac_secret_base64"])
    client = type(runtime.platforms.client("daily"))("daily", settings, runtime.platforms._context)
    clock.now = datetime.fromtimestamp(int(vector["x_webhook_timestamp"]), UTC)
    body = vector["raw_body"].encode()
    signature = vector["expected_x_webhook_signature"]
    assert client.verify_webhook_signature(body, signature, vector["x_webhook_timestamp"])
    assert not client.verify_webhook_signature(
        body + b" ", signature, vector["x_webhook_timestamp"]
    )
    milliseconds = vector["x_webhook_timestamp"] + "000"
    assert not client.verify_webhook_signature(body, signature, milliseconds)


async def test_every_fixture_is_answered_200_and_applied(client, alice, runtime, clock):
    room = (await new_meeting(client, alice))["platform_room_name"]
    answers = {name: await post(client, body_of(name, room), clock) for name in EVENTS}
    assert {name: answer.status_code for name, answer in answers.items()} == dict.fromkeys(
        EVENTS, 200
    )
    statuses = {name: answer.json()["status"] for name, answer in answers.items()}
    assert statuses["webhook_recording_started"] == "parked"
    assert {status for name, status in statuses.items() if "started" not in name} == {"processed"}
    async with runtime.db.read() as session:
        recordings = {
            r.platform_recording_id: r for r in (await session.scalars(select(Recording)))
        }
    raw = load(recordings["b0fa94da-73b5-4f95-9239-5216a682a505"].tracks)
    assert [(t.participant_id, t.offset_seconds) for t in raw] == [
        ("0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa", 0.412),
        ("b3d56359-14d7-46af-ac8b-18f8c991f5f6", 69.216),
    ]
    assert {t.source.bucket for t in raw if t.source and t.source.kind == "bucket"} == {
        "acme-daily-recordings"
    }
    [failed] = [r for r in recordings.values() if r.status == "failed"]
    assert "Error fetching STS credentials" in (failed.error or "")
    meeting = (await client.get("/v1/rooms/standup/meetings/active", headers=alice)).json()
    assert meeting == []  # meeting.ended ended it


async def test_the_registration_probe_and_unusable_bodies_get_200(client, alice, clock, runtime):
    assert (await post(client, b'{"test": "test"}', clock)).status_code == 200
    assert await count(runtime, WebhookEvent) == 0
    for body in (b"[1, 2]", b'"text"', b"not json", b'{"type": 7}', b'{"id": "x"}'):
        answer = await post(client, body, clock)
        assert answer.status_code == 200, body
        assert answer.json()["status"] == "failed"
    wrong_types = body_of("webhook_participant_joined", "r").replace(
        b'"owner": true', b'"owner": []'
    )
    assert (await post(client, wrong_types, clock)).status_code == 200


async def test_guests_non_ascii_names_and_pretty_printed_bodies(client, alice, runtime, clock):
    room = (await new_meeting(client, alice))["platform_room_name"]
    event = fixture("webhook_participant_joined")
    event["payload"] |= {"room": room, "user_name": "Zoë Ångström 李"}
    del event["payload"]["user_id"]
    body = json.dumps(event, indent=4, ensure_ascii=False).encode()
    answer = await post(client, body, clock)
    assert answer.json()["status"] == "processed"
    async with runtime.db.read() as session:
        [session_row] = (await session.scalars(select(ParticipantSession))).all()
    assert (session_row.display_name, session_row.user_id) == ("Zoë Ångström 李", None)


async def test_replays_outside_five_minutes_are_refused_in_seconds_or_milliseconds(client, clock):
    body = body_of("webhook_participant_joined", "r")
    now = int(clock().timestamp())
    for stamp, status in ((now * 1000, 200), (now - 299, 200), (now - 301, 401), (now + 301, 401)):
        headers = signed(body, str(stamp))
        answer = await client.post("/v1/daily/webhook", content=body, headers=headers)
        assert answer.status_code == status, stamp
    other_secret = base64.b64encode(b"not-the-secret-daily-was-given!!").decode()
    assert other_secret != WEBHOOK_SECRET
    wrong = signed(body, str(now), secret=other_secret)
    assert (await client.post("/v1/daily/webhook", content=body, headers=wrong)).status_code == 401


async def test_fifty_duplicates_at_once_and_any_order_give_one_state(client, alice, runtime, clock):
    room = (await new_meeting(client, alice))["platform_room_name"]
    joined = body_of("webhook_participant_joined", room)
    answers = await asyncio.gather(*(post(client, joined, clock) for _ in range(50)))
    assert {answer.status_code for answer in answers} == {200}
    assert [answer.json()["status"] for answer in answers].count("processed") == 1
    names = ["webhook_participant_left", "webhook_participant_joined", "webhook_meeting_started"]
    random.shuffle(names)
    for name in names:
        await post(client, body_of(name, room), clock)
    async with runtime.db.read() as session:
        rows = (await session.scalars(select(ParticipantSession))).all()
    assert sorted((row.platform_participant_id, row.left_at is None) for row in rows) == [
        ("0c0d2dda-f21d-4cf9-ab56-86bf3c407ffa", True),
        ("b3d56359-14d7-46af-ac8b-18f8c991f5f6", False),
    ]


async def test_presence_corrects_a_lost_join_and_a_lost_leave(
    client, alice, runtime, clock, http_transport
):
    fake: DailyFake = http_transport.app.state.fake
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    # Ada joins; her leave is lost.
    await post(client, body_of("webhook_participant_joined", room), clock)
    # Bo's join webhook was lost; Daily's presence lists him.
    fake.presence[room] = [
        {"id": "s-bo", "userId": None, "userName": "Bo", "joinTime": "2026-03-02T10:29:00Z"}
    ]
    clock.advance(60)
    assert await reconcile_sessions(runtime, "daily") == 2
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert detail["num_clients"] == 1
    assert [p["display_name"] for p in detail["participants"] if p["left_at"] is None] == ["Bo"]
