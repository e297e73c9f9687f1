"""The meeting lifecycle: grace period, end date extended while occupied, platform-ended."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from reflector.db import Job, JobState
from reflector.rooms.lifecycle import DELETE_PLATFORM_ROOM, check_meetings
from reflector.video_platforms.mock.settings import MockSettings
from tests.support import FakeClock, mock_event, new_meeting, send_mock_event


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={
            "MEETING_EMPTY_GRACE_SECONDS": 300,
            "MEETING_EXTENSION_SECONDS": 900,
            "MEETING_DURATION_SECONDS": 3600,
        }
    )


async def meeting_state(client, headers, meeting_id):
    detail = (await client.get(f"/v1/meetings/{meeting_id}", headers=headers)).json()
    return detail["state"], detail["end_reason"], detail["end_date"]


async def deletion_jobs(runtime) -> list[Job]:
    async with runtime.db.read() as session:
        query = select(Job).where(Job.task == DELETE_PLATFORM_ROOM.name)
        return list((await session.scalars(query)).all())


async def join_and_leave(client, clock: FakeClock, room: str, participant: str, stay: float):
    await send_mock_event(
        client,
        mock_event("participant.joined", room, participant, at=clock()),
        int(clock().timestamp()),
    )
    clock.advance(stay)
    await send_mock_event(
        client,
        mock_event("participant.left", room, participant, at=clock()),
        int(clock().timestamp()),
    )


async def test_an_empty_meeting_ends_after_the_grace_period(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    await join_and_leave(client, clock, meeting["platform_room_name"], "p1", stay=60)

    clock.advance(299)
    await check_meetings(runtime)
    assert (await meeting_state(client, alice, meeting["id"]))[0] == "active"

    clock.advance(2)
    await check_meetings(runtime)
    assert (await meeting_state(client, alice, meeting["id"]))[:2] == ("ended", "empty")
    [job] = await deletion_jobs(runtime)
    assert job.args == {
        "platform": "mock",
        "room_name": meeting["platform_room_name"],
        "meeting_id": meeting["platform_meeting_id"],
    }
    assert job.state == JobState.PENDING


async def test_a_meeting_nobody_joined_ends_after_the_grace_period(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    clock.advance(299)
    await check_meetings(runtime)
    assert (await meeting_state(client, alice, meeting["id"]))[0] == "active"
    clock.advance(2)
    await check_meetings(runtime)
    assert (await meeting_state(client, alice, meeting["id"]))[:2] == ("ended", "empty")
    assert len(await deletion_jobs(runtime)) == 1


class TestWithoutThePlatformsEvents:
    """Without a webhook secret no join can reach us, so silence says nothing."""

    @pytest.fixture
    def mock_settings(self) -> MockSettings:
        return MockSettings(_env_file=None, webhook_secret=None, webhook_secret_previous=None)

    async def test_a_meeting_stays_until_its_end_date(self, client, alice, runtime, clock):
        meeting = await new_meeting(client, alice)
        clock.advance(3599)
        await check_meetings(runtime)
        assert (await meeting_state(client, alice, meeting["id"]))[0] == "active"
        clock.advance(1)
        await check_meetings(runtime)
        assert (await meeting_state(client, alice, meeting["id"]))[:2] == ("ended", "end_date")


async def test_the_end_date_moves_while_people_are_in(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    await send_mock_event(
        client, mock_event("participant.joined", room, at=clock()), int(clock().timestamp())
    )
    clock.advance(3600)
    await check_meetings(runtime)
    state, reason, end_date = await meeting_state(client, alice, meeting["id"])
    assert (state, reason) == ("active", None)
    assert end_date == (clock() + timedelta(seconds=900)).isoformat().replace("+00:00", "Z")

    await send_mock_event(
        client, mock_event("participant.left", room, at=clock()), int(clock().timestamp())
    )
    clock.advance(301)
    await check_meetings(runtime)
    assert (await meeting_state(client, alice, meeting["id"]))[:2] == ("ended", "empty")


async def test_recorders_alone_do_not_keep_a_meeting_open(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    await join_and_leave(client, clock, room, "p1", stay=10)
    bot = mock_event("participant.joined", room, "bot", at=clock()).replace(
        b'"user_name": "Ann"', b'"user_name": "rec", "is_recorder": true'
    )
    await send_mock_event(client, bot, int(clock().timestamp()))
    clock.advance(301)
    await check_meetings(runtime)
    assert (await meeting_state(client, alice, meeting["id"]))[:2] == ("ended", "empty")


async def test_ending_schedules_one_room_deletion_whoever_ends_it(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
    await send_mock_event(
        client, mock_event("meeting.ended", room, at=clock()), int(clock().timestamp())
    )
    clock.advance(4000)
    await check_meetings(runtime)
    assert (await meeting_state(client, alice, meeting["id"]))[:2] == ("ended", "ended_by_host")
    assert len(await deletion_jobs(runtime)) == 1


async def test_the_platform_ending_a_meeting_is_stored_with_its_reason(
    client, alice, runtime, clock
):
    meeting = await new_meeting(client, alice)
    ended_at = clock() - timedelta(seconds=5)
    body = mock_event("meeting.ended", meeting["platform_room_name"], at=ended_at)
    await send_mock_event(client, body, int(clock().timestamp()))
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert (detail["state"], detail["end_reason"]) == ("ended", "platform")
    assert detail["ended_at"] == ended_at.isoformat().replace("+00:00", "Z")
    assert len(await deletion_jobs(runtime)) == 1


async def test_metrics_show_jobs_queue_depth_and_end_reasons(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice)
    await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
    text = (await client.get("/metrics")).text
    assert (
        'reflector_jobs{error_class="",state="pending",task="reflector.delete_platform_room"} 1.0'
        in text
    )
    assert 'reflector_job_queue_depth{task="reflector.delete_platform_room"} 1.0' in text
    assert 'reflector_meetings_ended{platform="mock",reason="ended_by_host"} 1.0' in text
