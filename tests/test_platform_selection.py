"""Selection rules: default platform, migration flags, fallback; moving rooms keeps history."""

import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY

from reflector.app import create_app
from reflector.config.loading import Config
from reflector.config.settings import Settings
from reflector.db import Room
from reflector.video_platforms.mock import PLATFORM as MOCK
from reflector.video_platforms.mock import MockSettings
from tests.doubles import DOWN, ECHO, DownSettings, EchoSettings
from tests.support import (
    MOCK_SECRET,
    START,
    FakeClock,
    api_key_headers,
    empty_tables,
    mock_event,
    send_mock_event,
)

SPECS = (MOCK, ECHO, DOWN)


def fallbacks(source: str, target: str) -> float:
    labels = {"from_platform": source, "to_platform": target}
    return REGISTRY.get_sample_value("reflector_platform_fallbacks_total", labels) or 0.0


@pytest.fixture
def overrides() -> dict[str, object]:
    return {}


@pytest.fixture
def config(settings: Settings, overrides: dict[str, object]) -> Config:
    return Config(
        settings=settings.model_copy(update=overrides),
        platforms={
            "mock": MockSettings(_env_file=None, webhook_secret=MOCK_SECRET),
            "echo": EchoSettings(_env_file=None),
            "down": DownSettings(_env_file=None),
        },
    )


@pytest.fixture
async def app(config: Config, clock: FakeClock) -> AsyncIterator[FastAPI]:
    app = create_app(config, specs=SPECS, clock=clock, relay=False)
    async with app.router.lifespan_context(app):
        await empty_tables(app.state.runtime)
        yield app


@pytest.fixture
async def alice(app: FastAPI) -> dict[str, str]:
    return await api_key_headers(app.state.runtime, "alice")


async def room_and_meeting(client, headers, name, **fields):
    room = await client.post("/v1/rooms", json={"name": name, **fields}, headers=headers)
    assert room.status_code == 201, room.text
    return room.json(), await client.post(f"/v1/rooms/{name}/meeting", headers=headers)


@pytest.mark.parametrize("overrides", [{"DEFAULT_VIDEO_PLATFORM": "echo"}])
async def test_new_rooms_get_the_default_platform_unless_they_name_one(client, alice):
    room, meeting = await room_and_meeting(client, alice, "a")
    assert (room["platform"], meeting.json()["platform"]) == ("echo", "echo")
    room, meeting = await room_and_meeting(client, alice, "b", platform="mock")
    assert (room["platform"], meeting.json()["platform"]) == ("mock", "mock")


async def test_unavailable_platform_without_fallback_answers_503(client, alice):
    _, meeting = await room_and_meeting(client, alice, "a", platform="down")
    assert meeting.status_code == 503
    assert meeting.headers["retry-after"] == "30"
    assert "connection refused" in meeting.json()["detail"]


@pytest.mark.parametrize("overrides", [{"VIDEO_PLATFORM_FALLBACK": "echo"}])
async def test_unavailable_platform_falls_back_and_counts_it(client, alice, caplog):
    before = fallbacks("down", "echo")
    room, meeting = await room_and_meeting(client, alice, "a", platform="down")
    assert meeting.status_code == 200
    assert (room["platform"], meeting.json()["platform"]) == ("down", "echo")
    assert fallbacks("down", "echo") == before + 1
    assert "falling back to echo" in caplog.text


LISTED = uuid.UUID("7d8f6c5e-0000-4000-8000-000000000001")


@pytest.mark.parametrize(
    "overrides",
    [
        {
            "DAILY_MIGRATION_ENABLED": True,
            "DAILY_MIGRATION_ROOM_IDS": frozenset({str(LISTED)}),
            "DAILY_MIGRATION_TARGET": "echo",
        }
    ],
)
def test_migration_flags_move_listed_rooms_to_the_target(app):
    platforms = app.state.runtime.platforms
    listed = Room(id=LISTED, name="x", owner="a", platform="mock")
    other = Room(id=uuid.uuid4(), name="y", owner="a", platform="mock")
    assert platforms.for_meeting(listed) == ("echo", "migration")
    assert platforms.for_meeting(other) == ("mock", "room")


async def test_moving_a_room_keeps_old_meetings_and_their_webhooks_working(client, alice):
    room, old = await room_and_meeting(client, alice, "a", platform="mock")
    old = old.json()
    moved = await client.patch(f"/v1/rooms/{room['id']}", json={"platform": "echo"}, headers=alice)
    assert moved.json()["platform"] == "echo"
    await client.post(f"/v1/meetings/{old['id']}/end", headers=alice)
    new = (await client.post("/v1/rooms/a/meeting", headers=alice)).json()
    assert new["platform"] == "echo"

    late = mock_event("participant.joined", old["platform_room_name"], at=START)
    delivered = await send_mock_event(client, late, int(START.timestamp()))
    assert delivered.json()["status"] == "processed"
    after = (await client.get(f"/v1/meetings/{old['id']}", headers=alice)).json()
    assert after["platform"] == "mock"
    assert after["platform_room_name"] == old["platform_room_name"]
    assert [p["platform_participant_id"] for p in after["participants"]] == ["p1"]
