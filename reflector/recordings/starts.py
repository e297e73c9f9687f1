"""Recordings the server starts: for cloud-recorded rooms whose trigger is `automatic` (the
first person in) or `automatic-2nd-participant` (the second), on platforms that start
recordings through their API (`Capability.SERVER_RECORDING`).

The inbox calls `after_joins` in the transaction that records the joins; the job it queues
(once per meeting) asks the platform, and is retried while the platform is not ready.
"""

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs
from reflector.db import Meeting, MeetingState, ParticipantSession, Room
from reflector.db.kinds import RecordingTrigger, RecordingType
from reflector.jobs import JobContext

PEOPLE_NEEDED = {
    RecordingTrigger.AUTOMATIC: 1,
    RecordingTrigger.AUTOMATIC_2ND_PARTICIPANT: 2,
}


def starts_on_joins(recording_type: str, trigger: str) -> bool:
    """Whether joins in a room with these settings may start its recording."""
    return recording_type == RecordingType.CLOUD and trigger in PEOPLE_NEEDED


async def after_joins(
    session: AsyncSession,
    meeting_ids: Iterable[uuid.UUID],
    now: datetime,
) -> set[uuid.UUID]:
    """Queue starting the recording of each meeting whose room's trigger is now met; the
    meetings are on platforms with `SERVER_RECORDING` (the inbox picks them).

    Returns the meetings whose start is queued, now or before: later joins change nothing.
    """
    ids = set(meeting_ids)
    queued: set[uuid.UUID] = set()
    if not ids:
        return queued
    people = func.count(ParticipantSession.id).filter(
        and_(ParticipantSession.is_recorder.is_(False), ParticipantSession.joined_at.is_not(None))
    )
    query = (
        select(Meeting.id, Room.recording_trigger, people)
        .join(Room, Room.id == Meeting.room_id)
        .outerjoin(ParticipantSession, ParticipantSession.meeting_id == Meeting.id)
        .where(
            Meeting.id.in_(ids),
            Meeting.state == MeetingState.ACTIVE,
            Room.recording_type == RecordingType.CLOUD,
            Room.recording_trigger.in_(list(PEOPLE_NEEDED)),
        )
        .group_by(Meeting.id, Room.recording_trigger)
    )
    for meeting_id, trigger, joined in await session.execute(query):
        if joined >= PEOPLE_NEEDED[RecordingTrigger(trigger)]:
            await jobs.enqueue(
                session,
                START_RECORDING,
                {"meeting_id": str(meeting_id)},
                now,
                dedupe_key=f"start-recording:{meeting_id}",
            )
            queued.add(meeting_id)
    return queued


async def _start(ctx: JobContext, args: jobs.JobArgs) -> None:
    async with ctx.db.read() as session:
        meeting = await session.get_one(Meeting, uuid.UUID(str(args["meeting_id"])))
    if meeting.state != MeetingState.ACTIVE:
        return
    await ctx.platforms.client(meeting.platform).start_recording(meeting)


START_RECORDING = jobs.JobSpec("reflector.start_recording", _start, 60, 90, max_attempts=10)
