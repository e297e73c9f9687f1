"""Reconciliation: a platform's sessions API is the truth, its webhooks only a hint.

For each active meeting on the platform, the sessions it reports are merged into ours, and
a session we still held open before asking, that the platform did not report, is closed
now, unless evidence about it was recorded since (its join may be newer than the answer);
such a close gives way to later evidence (`participants`).
"""

import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.config.loading import Config
from reflector.db import Meeting, MeetingState, ParticipantSession
from reflector.jobs import JobContext, PeriodicSpec
from reflector.rooms import participants
from reflector.rooms.participants import Observation
from reflector.video_platforms.base import Capability, SessionData
from reflector.video_platforms.spec import PlatformSpec

logger = logging.getLogger(__name__)


def periodic(config: Config, specs: Sequence[PlatformSpec]) -> list[PeriodicSpec]:
    """A reconciliation of each configured platform that has a sessions API to ask."""
    return [
        PeriodicSpec(
            f"{spec.slug}.reconcile_sessions", spec.reconcile_every_seconds, _of(spec.slug)
        )
        for spec in specs
        if not (settings := config.platforms[spec.slug]).missing()
        and Capability.SESSIONS_API in spec.client.capabilities_with(settings)
    ]


def _of(platform: str) -> Callable[[JobContext], Awaitable[None]]:
    async def run(ctx: JobContext) -> None:
        await reconcile_sessions(ctx, platform)

    return run


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
        # Ours first: whatever was committed before the question can be in the answer.
        async with ctx.db.read() as session:
            before = await participants.sessions_of(session, meeting_id)
        reported = await client.get_room_sessions(room_name)
        async with ctx.db.write() as session:
            corrections += await _apply(session, ctx.clock(), meeting_id, before, reported)
    return corrections


async def _apply(
    session: AsyncSession,
    now: datetime,
    meeting_id: uuid.UUID,
    before: list[ParticipantSession],
    reported: list[SessionData],
) -> int:
    ours = {row.platform_participant_id: row for row in before}
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
    changed = [o for o in observations if _changes(ours.get(o.participant_id), o)]
    await participants.record(session, changed, now)
    reported_ids = {seen.participant_id for seen in reported}
    unseen = [row for pid, row in ours.items() if pid not in reported_ids and row.left_at is None]
    closed = [row for row in unseen if await participants.close_unseen(session, row, now)]
    for pid in [o.participant_id for o in changed] + [
        row.platform_participant_id for row in closed
    ]:
        logger.info("meeting %s: participant %s corrected from the platform", meeting_id, pid)
    return len(changed) + len(closed)


def _changes(row: ParticipantSession | None, seen: Observation) -> bool:
    if row is None:
        return True
    current = Observation.of(row)
    return current.merged(seen) != current
