"""Reconciliation judges only what its snapshot could have seen, and its verdicts give way to
later evidence. The interleavings are scripted, not left to timing."""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from fastapi import FastAPI

from reflector.app import create_app
from reflector.config.loading import Config
from reflector.inbox.actions import InboundEvent, ParticipantJoined, ParticipantLeft
from reflector.rooms.reconcile import reconcile_sessions
from reflector.video_platforms.base import SessionData
from reflector.video_platforms.mock import MockSettings
from reflector.video_platforms.registry import PLATFORMS
from tests.doubles import SCRIPTED, ScriptedClient, ScriptedSettings
from tests.support import MOCK_SECRET, FakeClock, empty_tables, new_meeting, platform_settings


@pytest.fixture
def config(settings) -> Config:
    return Config(
        settings=settings.model_copy(update={"DEFAULT_VIDEO_PLATFORM": "scripted"}),
        platforms=platform_settings(
            mock=MockSettings(_env_file=None, webhook_secret=MOCK_SECRET),
            scripted=ScriptedSettings(_env_file=None),
        ),
    )


@pytest.fixture
async def app(config, clock) -> AsyncIterator[FastAPI]:
    ScriptedClient.listing, ScriptedClient.after_snapshot = [], None
    app = create_app(config, specs=(*PLATFORMS, SCRIPTED), clock=clock, relay=False)
    async with app.router.lifespan_context(app):
        await empty_tables(app.state.runtime)
        yield app
    ScriptedClient.listing, ScriptedClient.after_snapshot = [], None


def event(room: str, action: ParticipantJoined | ParticipantLeft, key: str) -> InboundEvent:
    kind = type(action).__name__
    return InboundEvent("scripted", key, kind, b"{}", kind, actions=(action,))


def listed(participant: str, joined_at: datetime) -> SessionData:
    return SessionData(participant_id=participant, joined_at=joined_at)


async def participants(client, alice, meeting) -> tuple[int, dict[str, object]]:
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    return detail["num_clients"], {p["platform_participant_id"]: p for p in detail["participants"]}


async def test_a_join_committed_between_the_two_reads_stays_open(
    client, alice, runtime, clock: FakeClock
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]

    async def join_meanwhile() -> None:
        clock.advance(0.031)
        joined = ParticipantJoined(room, "p1", clock(), display_name="Ann")
        await runtime.inbox.receive(event(room, joined, "join-p1"))

    ScriptedClient.after_snapshot = join_meanwhile
    assert await reconcile_sessions(runtime, "scripted") == 0
    count, found = await participants(client, alice, meeting)
    assert (count, found["p1"]["left_at"]) == (1, None)

    # The next snapshot, taken after the join, is the one entitled to judge it.
    ScriptedClient.after_snapshot = None
    clock.advance(30)
    assert await reconcile_sessions(runtime, "scripted") == 1
    assert (await participants(client, alice, meeting))[0] == 0


async def test_a_close_by_reconciliation_gives_way_to_later_evidence(
    client, alice, runtime, clock: FakeClock
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    joined_at = clock()
    await runtime.inbox.receive(event(room, ParticipantJoined(room, "p1", joined_at), "j1"))
    await runtime.inbox.receive(event(room, ParticipantJoined(room, "p2", joined_at), "j2"))
    clock.advance(60)
    # A snapshot that missed both (say, the platform's listing lagged).
    assert await reconcile_sessions(runtime, "scripted") == 2
    assert (await participants(client, alice, meeting))[0] == 0

    # The platform lists p1 again; a later join event arrives for p2.
    clock.advance(60)
    ScriptedClient.listing = [listed("p1", joined_at)]
    assert await reconcile_sessions(runtime, "scripted") == 1
    assert (await participants(client, alice, meeting))[0] == 1
    rejoined = ParticipantJoined(room, "p2", joined_at + timedelta(seconds=5))
    await runtime.inbox.receive(event(room, rejoined, "j2-again"))
    count, found = await participants(client, alice, meeting)
    assert count == 2
    assert found["p1"]["left_at"] is None
    assert found["p2"]["left_at"] is None


async def test_a_real_leave_replaces_a_reconciliation_close(
    client, alice, runtime, clock: FakeClock
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    joined_at = clock()
    await runtime.inbox.receive(event(room, ParticipantJoined(room, "p1", joined_at), "j1"))
    clock.advance(600)
    assert await reconcile_sessions(runtime, "scripted") == 1
    left_at = joined_at + timedelta(seconds=42)
    await runtime.inbox.receive(event(room, ParticipantLeft(room, "p1", left_at), "l1"))
    count, found = await participants(client, alice, meeting)
    assert count == 0
    assert found["p1"]["left_at"] == left_at.isoformat().replace("+00:00", "Z")


async def test_a_real_leave_is_never_reopened_by_a_listing(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    joined_at = clock()
    await runtime.inbox.receive(event(room, ParticipantJoined(room, "p1", joined_at), "j1"))
    left = ParticipantLeft(room, "p1", joined_at + timedelta(seconds=9))
    await runtime.inbox.receive(event(room, left, "l1"))
    clock.advance(60)
    ScriptedClient.listing = [listed("p1", joined_at)]  # a stale listing
    await reconcile_sessions(runtime, "scripted")
    assert (await participants(client, alice, meeting))[0] == 0
