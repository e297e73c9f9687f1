"""The meeting lifecycle: when a meeting ends, and cleaning up after it.

A meeting ends when its platform says so (an event), when it has been empty for
`MEETING_EMPTY_GRACE_SECONDS` (after the last one left, or since it began if nobody came and
the platform's events can reach us), or at its end date, which is pushed back by
`MEETING_EXTENSION_SECONDS` while people are still in. Ending stores the reason and
enqueues the deletion of the platform room in the same transaction.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs
from reflector.db import EndReason, Meeting, MeetingState, ParticipantSession
from reflector.jobs import JobContext
from reflector.video_platforms.errors import RoomNotFound

logger = logging.getLogger(__name__)


async def _delete_platform_room(ctx: JobContext, args: jobs.JobArgs) -> None:
    client = ctx.platforms.client(str(args["platform"]))
    # The meeting's row may be gone by now (its room deleted): its copy is in the job.
    meeting = Meeting(
        platform=str(args["platform"]),
        platform_room_name=str(args["room_name"]),
        platform_meeting_id=str(args.get("meeting_id", "")),
    )
    try:
        await client.delete_meeting(meeting)
    except RoomNotFound:
        logger.info("%s room %s was already gone", args["platform"], args["room_name"])


DELETE_PLATFORM_ROOM = jobs.JobSpec("reflector.delete_platform_room", _delete_platform_room)


async def end_meeting(
    session: AsyncSession,
    meeting: Meeting,
    reason: EndReason,
    ended_at: datetime,
    now: datetime,
) -> bool:
    """End an active meeting and schedule its platform room's deletion; False if already ended."""
    ended = await session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.state == MeetingState.ACTIVE)
        .values(state=MeetingState.ENDED, ended_at=ended_at, end_reason=reason)
        .returning(Meeting.id)
    )
    if ended.first() is None:
        return False
    await schedule_room_deletion(session, meeting, now)
    logger.info("meeting %s ended (%s)", meeting.id, reason.value)
    return True


async def schedule_room_deletion(session: AsyncSession, meeting: Meeting, now: datetime) -> None:
    platform, room_name = meeting.platform, meeting.platform_room_name
    await jobs.enqueue(
        session,
        DELETE_PLATFORM_ROOM,
        {"platform": platform, "room_name": room_name, "meeting_id": meeting.platform_meeting_id},
        now,
        dedupe_key=f"delete-room:{platform}:{room_name}",
    )


async def check_meetings(ctx: JobContext) -> None:
    """End the meetings whose time has come; extend the occupied ones at their end date."""
    settings = ctx.config.settings
    now = ctx.clock()
    grace = timedelta(seconds=settings.MEETING_EMPTY_GRACE_SECONDS)
    extension = timedelta(seconds=settings.MEETING_EXTENSION_SECONDS)
    async with ctx.db.write() as session:
        for meeting, present, ever_joined, last_left in await _occupancy(session):
            if present:
                if meeting.end_date <= now:
                    meeting.end_date = now + extension
                    logger.info(
                        "meeting %s is still occupied; end date moved to %s",
                        meeting.id,
                        meeting.end_date,
                    )
                continue
            since = _empty_since(ctx, meeting, ever_joined, last_left)
            if since is not None and since + grace <= now:
                await end_meeting(session, meeting, EndReason.EMPTY, now, now)
            elif meeting.end_date <= now:
                await end_meeting(session, meeting, EndReason.END_DATE, now, now)


def _empty_since(
    ctx: JobContext, meeting: Meeting, ever_joined: int, last_left: datetime | None
) -> datetime | None:
    """Since when an empty meeting has been empty: since the last one left, or, if nobody
    came, since it began; None where no join could have reached us."""
    if ever_joined:
        return last_left
    return meeting.created_at if ctx.platforms.hears_presence(meeting.platform) else None


async def _occupancy(
    session: AsyncSession,
) -> list[tuple[Meeting, int, int, datetime | None]]:
    """Active meetings with: people in now, people who ever joined, when the last one left."""
    people = ParticipantSession.is_recorder.is_(False)
    joined = and_(people, ParticipantSession.joined_at.is_not(None))
    present = func.count().filter(and_(joined, ParticipantSession.left_at.is_(None)))
    query = (
        select(
            Meeting,
            present,
            func.count().filter(joined),
            func.max(ParticipantSession.left_at).filter(people),
        )
        .outerjoin(ParticipantSession, ParticipantSession.meeting_id == Meeting.id)
        .where(Meeting.state == MeetingState.ACTIVE)
        .group_by(Meeting.id)
    )
    return [(m, int(p), int(e), last) for m, p, e, last in await session.execute(query)]
