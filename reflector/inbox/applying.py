"""What a stored event's actions do: participants observed, meetings ended, recordings
announced or failed."""

import uuid
from datetime import datetime
from typing import assert_never

from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import EndReason, Meeting
from reflector.inbox.actions import (
    CallEnded,
    InboundEvent,
    MeetingEnded,
    ParticipantJoined,
    ParticipantLeft,
    RecordingFailed,
    RecordingReady,
    RoomActive,
)
from reflector.recordings import announcements
from reflector.rooms import lifecycle, participants


async def apply(
    session: AsyncSession, events: list[tuple[InboundEvent, uuid.UUID]], now: datetime
) -> None:
    """Do what each stored event says, in the transaction that stored it."""
    observations = []
    calls_ended: list[tuple[uuid.UUID, datetime]] = []
    for event, meeting_id in events:
        for action in event.actions:
            match action:
                case ParticipantJoined() | ParticipantLeft() as seen:
                    observations.append(observation(meeting_id, seen))
                case MeetingEnded() as ended:
                    meeting = await session.get_one(Meeting, meeting_id)
                    await lifecycle.end_meeting(session, meeting, EndReason.PLATFORM, ended.at, now)
                case CallEnded() as call:
                    calls_ended.append((meeting_id, call.at))
                case RecordingReady() as ready:
                    meeting = await session.get_one(Meeting, meeting_id)
                    await announcements.announce(session, meeting, ready, now)
                case RecordingFailed() as failed:
                    meeting = await session.get_one(Meeting, meeting_id)
                    await announcements.fail(session, meeting, failed, now)
                case RoomActive():
                    pass
                case _:
                    assert_never(action)
    await participants.record(session, observations, now)
    # After the batch's own leaves are recorded: they may be what empties the meeting.
    for meeting_id, at in calls_ended:
        meeting = await session.get_one(Meeting, meeting_id)
        if await participants.num_clients(session, meeting) == 0:
            await lifecycle.end_meeting(session, meeting, EndReason.PLATFORM, at, now)


def observation(
    meeting_id: uuid.UUID, event: ParticipantJoined | ParticipantLeft
) -> participants.Observation:
    """What a joined or left event says about the participant's session."""
    if isinstance(event, ParticipantJoined):
        return participants.Observation(
            meeting_id,
            event.participant_id,
            joined_at=event.at,
            user_id=event.user_id,
            display_name=event.display_name,
            is_recorder=event.is_recorder,
        )
    return participants.Observation(
        meeting_id, event.participant_id, left_at=event.at, is_recorder=event.is_recorder
    )
