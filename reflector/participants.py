"""Participant sessions: merged from events in any order, counted, never incremented."""

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from reflector.db import Meeting, MeetingState, ParticipantSession
from reflector.db.upsert import insert

_When = ColumnElement[datetime | None] | InstrumentedAttribute[datetime | None]


def _earliest(current: _When, new: _When) -> ColumnElement[datetime | None]:
    return case((current.is_(None), new), (new < current, new), else_=current)


def _latest(current: _When, new: _When) -> ColumnElement[datetime | None]:
    return case((current.is_(None), new), (new > current, new), else_=current)


async def record(
    session: AsyncSession,
    meeting_id: uuid.UUID,
    participant_id: str,
    *,
    joined_at: datetime | None = None,
    left_at: datetime | None = None,
    user_id: str | None = None,
    display_name: str | None = None,
    is_recorder: bool = False,
) -> None:
    """Merge one observation into the participant's session.

    Commutative and idempotent: the earliest join and the latest leave win, so duplicates
    and any arrival order give the same row.
    """
    statement = insert(session, ParticipantSession).values(
        id=uuid.uuid4(),
        meeting_id=meeting_id,
        platform_participant_id=participant_id,
        user_id=user_id,
        display_name=display_name,
        joined_at=joined_at,
        left_at=left_at,
        is_recorder=is_recorder,
    )
    new = statement.excluded
    statement = statement.on_conflict_do_update(
        index_elements=[
            ParticipantSession.meeting_id,
            ParticipantSession.platform_participant_id,
        ],
        set_={
            "joined_at": _earliest(ParticipantSession.joined_at, new.joined_at),
            "left_at": _latest(ParticipantSession.left_at, new.left_at),
            "user_id": func.coalesce(ParticipantSession.user_id, new.user_id),
            "display_name": func.coalesce(ParticipantSession.display_name, new.display_name),
            "is_recorder": ParticipantSession.is_recorder | new.is_recorder,
        },
    )
    await session.execute(statement)


def _open_clients() -> ColumnElement[bool]:
    return and_(
        ParticipantSession.joined_at.is_not(None),
        ParticipantSession.left_at.is_(None),
        ParticipantSession.is_recorder.is_(False),
    )


async def num_clients(session: AsyncSession, meeting: Meeting) -> int:
    if meeting.state == MeetingState.ENDED:
        return 0
    query = select(func.count()).where(ParticipantSession.meeting_id == meeting.id, _open_clients())
    return (await session.execute(query)).scalar_one()


async def sessions_of(session: AsyncSession, meeting_id: uuid.UUID) -> list[ParticipantSession]:
    query = (
        select(ParticipantSession)
        .where(ParticipantSession.meeting_id == meeting_id)
        .order_by(
            ParticipantSession.joined_at.is_(None),
            ParticipantSession.joined_at,
            ParticipantSession.platform_participant_id,
        )
    )
    return list((await session.scalars(query)).all())
