"""Whereby through the contract suite, against a fake of its API over HTTP; and what Whereby
alone does: its signature vector, every fixture, the host link, the logo, insights."""

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from reflector.config.loading import Config
from reflector.db import ParticipantSession, WebhookEvent
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from reflector.video_platforms.whereby import WherebySettings
from reflector.video_platforms.whereby.client import prefix_for
from tests.platform_contract import Kind, PlatformContract
from tests.support import START, FakeClock, new_meeting, platform_settings
from tests.whereby_fake import API_KEY, WherebyFake, fixture

WEBHOOK_SECRET = "whereby-webhook-secret-for-the-tests"
API_URL = "https://api.whereby.test/v1"
BUCKET = "acme-whereby-recordings"
FIXTURE_ROOM = "/team-standup-0b5d8f4e-3c1a-4e7b-9a62-7d1f2e8c4a90"
WEBHOOKS = (
    "webhook_room_client_knocked",
    "webhook_room_session_started",
    "webhook_room_client_joined",
    "webhook_room_client_joined_recorder",
    "webhook_recording_finished",
    "webhook_room_client_left",
    "webhook_room_session_ended",
)


def whereby_settings(**overrides: object) -> WherebySettings:
    configured: dict[str, object] = {
        "api_key": API_KEY,
        "api_url": API_URL,
        "webhook_secret": WEBHOOK_SECRET,
        "AWS_WHEREBY_S3_BUCKET": BUCKET,
        "AWS_WHEREBY_ACCESS_KEY_ID": "AKIAWHEREBYTESTS0001",
        "AWS_WHEREBY_ACCESS_KEY_SECRET": "whereby-bucket-secret-for-the-tests-000",
    }
    return WherebySettings(_env_file=None, **(configured | overrides))


def whereby_signature(body: bytes, timestamp: int, secret: str = WEBHOOK_SECRET) -> str:
    """contracts/whereby.md §4.4, written from the contract: the secret as is, hex."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def signed(body: bytes, timestamp: int, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {
        "Whereby-Signature": whereby_signature(body, timestamp, secret),
        "Content-Type": "application/json",
    }


def client_event(kind: str, room: str, participant: str, at: datetime, **data: Any) -> bytes:
    event = fixture(f"webhook_room_client_{kind}")
    event["id"] = hashlib.sha256(f"{kind}:{room}:{participant}:{at}".encode()).hexdigest()
    event["createdAt"] = at.isoformat().replace("+00:00", "Z")
    event["data"] |= {"roomName": room, "participantId": participant, **data}
    return json.dumps(event, separators=(",", ":")).encode()


class TestWherebyContract(PlatformContract):
    slug = "whereby"
    room_name_alphabet = "/abcdefghijklmnopqrstuvwxyz0123456789-"

    def platform_settings(self) -> VideoPlatformConfig:
        return whereby_settings()

    def vendor_transport(self) -> httpx.AsyncBaseTransport | None:
        self.fake = WherebyFake()
        return httpx.ASGITransport(app=self.fake.app())

    def vendor_has_room(self, room_name: str) -> bool | None:
        return room_name in self.fake.room_names()

    def vendor_logo(self, room_name: str) -> bytes | None:
        return self.fake.logos.get(room_name)

    def signed_webhook(
        self,
        kind: Kind,
        room_name: str,
        participant_id: str,
        at: datetime,
        secret: str | None = None,
    ) -> tuple[str, bytes, dict[str, str]]:
        body = client_event(str(kind), room_name, participant_id, at)
        return "/v1/whereby", body, signed(body, int(START.timestamp()), secret or WEBHOOK_SECRET)

    def signed_recording_ready(
        self, room_name: str, recording_id: str, participants: list[str]
    ) -> tuple[str, bytes, dict[str, str]]:
        event = fixture("webhook_recording_finished")
        event["data"] |= {
            "roomName": room_name,
            "recordingId": recording_id,
            "filename": f"{room_name.lstrip('/')}-2026-11-25T12:00:00Z.mp4",
        }
        body = json.dumps(event).encode()
        return "/v1/whereby", body, signed(body, int(START.timestamp()))

    def announced_as(
        self, room_name: str, recording_id: str, participants: list[str]
    ) -> tuple[str, int]:
        """One mixed file, known by its object key (§5.2)."""
        return f"{room_name.lstrip('/')}-2026-11-25T12:00:00Z.mp4", 1


@pytest.fixture
def fake() -> WherebyFake:
    return WherebyFake()


@pytest.fixture
def http_transport(fake: WherebyFake) -> httpx.AsyncBaseTransport:
    return httpx.ASGITransport(app=fake.app())


@pytest.fixture
def whereby(tmp_path) -> WherebySettings:
    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n-acme-logo")
    return whereby_settings(logo_path=str(logo))


@pytest.fixture
def config(settings, whereby) -> Config:
    update = {"DEFAULT_VIDEO_PLATFORM": "whereby"}
    return Config(
        settings=settings.model_copy(update=update), platforms=platform_settings(whereby=whereby)
    )


async def post(client, body: bytes, clock: FakeClock, **headers: str) -> httpx.Response:
    sent = signed(body, int(clock().timestamp())) | headers
    return await client.post("/v1/whereby", content=body, headers=sent)


def test_the_contracts_signature_vector(runtime, clock):
    vector = fixture("signature_test_vector")
    settings = whereby_settings(webhook_secret=vector["secret"])
    client = type(runtime.platforms.client("whereby"))(
        "whereby", settings, runtime.platforms._context
    )
    clock.now = datetime.fromtimestamp(int(vector["timestamp_seconds"]), UTC)
    body = vector["raw_body"].encode()
    header = f"t={vector['timestamp_seconds']},v1={vector['expected_v1_hex']}"
    assert client.verify_webhook_signature(body, header)
    assert not client.verify_webhook_signature(body.replace(b"Ada", b"Eve"), header)
    clock.advance(301)
    assert not client.verify_webhook_signature(body, header)
    clock.advance(-602)
    assert not client.verify_webhook_signature(body, header)


async def test_every_fixture_is_acknowledged_and_applied(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    answers = {}
    for name in WEBHOOKS:
        body = json.dumps(fixture(name)).replace(FIXTURE_ROOM[1:], room[1:]).encode()
        answers[name] = await post(client, body, clock)
        if name == "webhook_room_client_joined_recorder":
            detail = await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)
            assert detail.json()["num_clients"] == 1  # the recorder is not a participant
    assert {answer.status_code for answer in answers.values()} == {200}
    statuses = {name: answer.json()["status"] for name, answer in answers.items()}
    assert statuses.pop("webhook_room_client_knocked") == "parked"
    assert set(statuses.values()) == {"processed"}
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert (detail["state"], detail["num_clients"]) == ("ended", 0)
    recordings = await client.get(f"/v1/meetings/{meeting['id']}/recordings", headers=alice)
    [recording] = recordings.json()
    assert recording["platform_recording_id"].startswith(room.lstrip("/"))


async def test_the_call_ending_with_someone_still_in_keeps_the_meeting(
    client, alice, runtime, clock
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    await post(client, client_event("joined", room, "p1", START), clock)
    ended = fixture("webhook_room_session_ended")
    ended["data"]["roomName"] = room
    assert (await post(client, json.dumps(ended).encode(), clock)).status_code == 200
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert (detail["state"], detail["num_clients"]) == ("active", 1)


async def test_non_ascii_names_and_pretty_printed_bodies_are_verified_over_raw_bytes(
    client, alice, runtime, clock
):
    room = (await new_meeting(client, alice))["platform_room_name"]
    event = json.loads(client_event("joined", room, "p1", START))
    event["data"]["displayName"] = "Zoë Ångström 李"
    pretty = json.dumps(event, indent=4, ensure_ascii=False).encode()
    assert (await post(client, pretty, clock)).json()["status"] == "processed"
    # Signed over the compact form (the docs' sample) but delivered pretty-printed.
    event["id"], event["data"]["participantId"] = "e" * 64, "p2"
    compact = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
    pretty = json.dumps(event, indent=2, ensure_ascii=False).encode()
    headers = signed(compact, int(clock().timestamp()))
    answer = await client.post("/v1/whereby", content=pretty, headers=headers)
    assert answer.json()["status"] == "processed"
    async with runtime.db.read() as session:
        names = set(await session.scalars(select(ParticipantSession.display_name)))
    assert names == {"Zoë Ångström 李"}


async def test_unsigned_or_unknown_bodies(client, clock, runtime):
    body = client_event("joined", "/nowhere", "p1", START)
    assert (await client.post("/v1/whereby", content=body)).status_code == 401
    stale = signed(body, int(clock().timestamp()) - 301)
    assert (await client.post("/v1/whereby", content=body, headers=stale)).status_code == 401
    for strange in (
        b"[]",
        b"not json",
        b'{"type": 5}',
        b'{"id": "x", "type": "assistant.requested"}',
    ):
        answer = await post(client, strange, clock)
        assert answer.status_code == 200, strange
        assert answer.json()["status"] in ("failed", "parked")
    wrong_types = body.replace(b'"numClients":2', b'"numClients":"two"').replace(
        b'"displayName":"Ada Lovelace"', b'"displayName":[1]'
    )
    assert (await post(client, wrong_types, clock)).status_code == 200
    async with runtime.db.read() as session:
        assert len((await session.scalars(select(WebhookEvent))).all()) == 5


async def test_meetings_follow_the_contract_and_carry_the_logo(client, alice, fake, caplog):
    caplog.set_level(logging.DEBUG)
    created = await client.post(
        "/v1/rooms",
        json={"name": "quarterly-review-of-the-whole-company-2026-q4", "room_mode": "group"},
        headers=alice,
    )
    assert created.status_code == 201, created.text
    meeting = await client.post(f"/v1/rooms/{created.json()['name']}/meeting", headers=alice)
    assert meeting.status_code == 200, meeting.text
    [sent] = fake.created
    assert sent["roomNamePrefix"] == "quarterly-review-of-the-whole-company-"
    assert sent["roomMode"] == "group"
    assert sent["recording"]["destination"]["bucket"] == BUCKET
    assert sent["recording"]["startTrigger"] == "automatic-2nd-participant"
    assert datetime.fromisoformat(sent["endDate"]) > START
    room = meeting.json()["platform_room_name"]
    assert fake.logos[room] == b"\x89PNG\r\n\x1a\n-acme-logo"
    assert "roomKey" not in caplog.text


async def test_the_host_link_reaches_only_the_owner(client, alice, bob, fake, caplog):
    caplog.set_level(logging.DEBUG)
    await client.post("/v1/rooms", json={"name": "shared", "is_shared": True}, headers=alice)
    meeting = (await client.post("/v1/rooms/shared/meeting", headers=alice)).json()
    join = f"/v1/meetings/{meeting['id']}/join"
    host = (await client.post(join, headers=alice)).json()
    guest = (await client.post(join, headers=bob)).json()
    assert "roomKey=" in host["url"]
    assert "roomKey" not in guest["url"]
    seen_by_bob = await client.get(f"/v1/meetings/{meeting['id']}", headers=bob)
    assert "roomKey" not in seen_by_bob.text
    assert "roomKey" not in caplog.text


async def test_a_failed_logo_upload_never_fails_the_meeting(client, alice, fake):
    fake.logo_status = 500
    meeting = await new_meeting(client, alice)
    assert meeting["platform"] == "whereby"
    assert fake.logos == {}


async def test_rooms_without_cloud_recording_send_no_recording(client, alice, fake):
    await client.post("/v1/rooms", json={"name": "quiet", "recording_type": "none"}, headers=alice)
    await client.post("/v1/rooms/quiet/meeting", headers=alice)
    assert "recording" not in fake.created[-1]


async def test_sessions_come_from_insights_page_by_page(client, alice, fake):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    fake.sessions[room] = [
        {"roomSessionId": f"s{n}", "roomName": room, "startedAt": "2026-11-25T12:00:00Z"}
        for n in range(2)
    ]
    at = START.isoformat()
    fake.participants["s0"] = [
        {"participantId": f"p{n}", "displayName": f"P{n}", "joinedAt": at} for n in range(150)
    ]
    later = (START + timedelta(minutes=5)).isoformat()
    fake.participants["s1"] = [
        {"participantId": "rec", "roleName": "recorder", "joinedAt": at, "leftAt": later}
    ]
    answer = await client.get(f"/v1/meetings/{meeting['id']}/sessions", headers=alice)
    assert answer.status_code == 200, answer.text
    sessions = answer.json()
    assert len(sessions) == 151
    assert [s["is_recorder"] for s in sessions].count(True) == 1
    assert ("GET", "/v1/insights/participants") in fake.requests


def test_prefixes_keep_within_the_naming_rules():
    assert prefix_for("Team Standup") == "team-standup-"
    assert prefix_for("quarterly-review-of-the-whole-company-2026") == (
        "quarterly-review-of-the-whole-company-"
    )
    assert prefix_for("___") == "room-"
    long = prefix_for("x" * 100)
    assert len(long) == 39
    assert long.endswith("-")
