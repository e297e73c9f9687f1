"""Reconciliation: a platform's sessions API is the truth, its webhooks only a hint.

For each active meeting on the platform, the sessions it reports are merged into ours, and
a session we still hold open that the platform did not report is closed now, unless we
recorded evidence about it after asking (its join may be newer than the answer); such a
close gives way to later evidence (`participants`).
"""

import logging
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import participants
from reflector.db import Meeting, MeetingState, ParticipantSession
from reflector.jobs import JobContext
from reflector.participants import Observation
from reflector.video_platforms.base import Capability, SessionData

logger = logging.getLogger(__name__)


async def reconcile_sessions(ctx: JobContext, platform: str) -> int:
    """Correct the participant sessions of the platform's active meetings; returns fixes made."""
    client = ctx.platforms.client(platform)
    if not client.has(Capability.SESSIONS_API):
        return 0
    async with ctx.db.read() as session:
        meetings = (
            await session.execute(
                select(Meeting.id, Meeting.platform_room_name).where(
                    Meeting.platform == platform, Meeting.state == MeetingState.ACTIVE
                )
            )
        ).all()
    corrections = 0
    for meeting_id, room_name in meetings:
        asked_at = ctx.clock()
        reported = await client.get_room_sessions(room_name)
        async with ctx.db.write() as session:
            corrections += await _apply(session, ctx.clock(), asked_at, meeting_id, reported)
    return corrections


async def _apply(
    session: AsyncSession,
    now: datetime,
    asked_at: datetime,
    meeting_id: uuid.UUID,
    reported: list[SessionData],
) -> int:
    ours = {
        row.platform_participant_id: row
        for row in await participants.sessions_of(session, meeting_id)
    }
    observations = [
        Observation(
            meeting_id,
            seen.participant_id,
            joined_at=seen.joined_at,
            left_at=seen.left_at,
            user_id=seen.user_id,
            display_name=seen.user_name,
            is_recorder=seen.is_recorder,
        )
        for seen in reported
    ]
    reported_ids = {seen.participant_id for seen in reported}
    observations += [
        Observation(meeting_id, pid, left_at=now, closed_by_check=True)
        for pid, row in ours.items()
        if pid not in reported_ids and participants.closable(row, asked_at)
    ]
    changed = [o for o in observations if _changes(ours.get(o.participant_id), o)]
    for change in changed:
        logger.info(
            "meeting %s: participant %s corrected from the platform",
            meeting_id,
            change.participant_id,
        )
    await participants.record(session, changed, now)
    return len(changed)


def _changes(row: ParticipantSession | None, seen: Observation) -> bool:
    if row is None:
        return True
    current = Observation.of(row)
    return current.merged(seen) != current
