"""Reconciliation: the platform's sessions API corrects what lost webhooks left wrong."""

from datetime import timedelta

from reflector.rooms.lifecycle import DELETE_PLATFORM_ROOM
from reflector.rooms.reconcile import reconcile_sessions
from reflector.video_platforms.mock import MockClient
from tests.support import (
    FakeClock,
    mock_event,
    mock_signature,
    new_meeting,
    run_queued,
    send_mock_event,
)


async def report(client, body: bytes, timestamp: int):
    headers = {"X-Mock-Signature": mock_signature(body, timestamp)}
    return await client.post("/v1/mock/presence", content=body, headers=headers)


async def detail(client, headers, meeting_id):
    return (await client.get(f"/v1/meetings/{meeting_id}", headers=headers)).json()


async def test_a_missed_left_is_corrected(client, alice, runtime, clock: FakeClock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    now = int(clock().timestamp())
    await send_mock_event(client, mock_event("participant.joined", room, "p1", at=clock()), now)
    left_at = clock() + timedelta(seconds=60)
    lost = mock_event("participant.left", room, "p1", at=left_at)
    assert (await report(client, lost, now)).status_code == 204
    assert (await detail(client, alice, meeting["id"]))["num_clients"] == 1

    assert await reconcile_sessions(runtime, "mock") == 1
    after = await detail(client, alice, meeting["id"])
    assert after["num_clients"] == 0
    assert after["participants"][0]["left_at"] == left_at.isoformat().replace("+00:00", "Z")
    assert await reconcile_sessions(runtime, "mock") == 0


async def test_a_missed_join_is_corrected(client, alice, runtime, clock: FakeClock):
    meeting = await new_meeting(client, alice)
    lost = mock_event("participant.joined", meeting["platform_room_name"], "p2", user_name="Bo")
    await report(client, lost, int(clock().timestamp()))
    assert await reconcile_sessions(runtime, "mock") == 1
    after = await detail(client, alice, meeting["id"])
    assert after["num_clients"] == 1
    assert after["participants"][0]["display_name"] == "Bo"


async def test_ended_meetings_are_left_alone(client, alice, runtime, clock: FakeClock):
    meeting = await new_meeting(client, alice)
    await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
    lost = mock_event("participant.joined", meeting["platform_room_name"], "late")
    await report(client, lost, int(clock().timestamp()))
    assert await reconcile_sessions(runtime, "mock") == 0


async def test_presence_reports_are_signed_participant_events(client, alice, clock: FakeClock):
    meeting = await new_meeting(client, alice)
    body = mock_event("participant.joined", meeting["platform_room_name"])
    assert (await client.post("/v1/mock/presence", content=body)).status_code == 401
    ended = mock_event("meeting.ended", meeting["platform_room_name"])
    assert (await report(client, ended, int(clock().timestamp()))).status_code == 422


async def test_the_platform_forgets_a_room_once_its_meeting_is_deleted(
    client, alice, runtime, clock: FakeClock
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    now = int(clock().timestamp())
    await send_mock_event(client, mock_event("participant.joined", room, "p1"), now)
    mock = runtime.platforms.of(MockClient)
    assert [s.participant_id for s in await mock.get_room_sessions(room)] == ["p1"]

    await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
    await run_queued(runtime, DELETE_PLATFORM_ROOM)
    assert await mock.get_room_sessions(room) == []
    late = await report(client, mock_event("participant.joined", room, "p2"), now)
    assert late.status_code == 404
    assert list(mock.rooms.directory.glob("*.json")) == []


async def test_a_room_left_open_is_forgotten_a_day_after_its_end(
    client, alice, runtime, clock: FakeClock
):
    stale = await new_meeting(client, alice, "old")
    clock.advance(timedelta(days=2).total_seconds())
    await new_meeting(client, alice, "new")
    mock = runtime.platforms.of(MockClient)
    assert not mock.rooms.is_open(stale["platform_room_name"])
    assert len(list(mock.rooms.directory.glob("*.json"))) == 1
