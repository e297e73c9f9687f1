"""Participant sessions: merged from events in any order, counted, never incremented."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from reflector.db import Meeting, MeetingState, ParticipantSession
from reflector.db.upsert import insert

_When = ColumnElement[datetime | None] | InstrumentedAttribute[datetime | None]


@dataclass(frozen=True)
class Observation:
    """What one event says about one participant connection of one meeting."""

    meeting_id: uuid.UUID
    participant_id: str
    joined_at: datetime | None = None
    left_at: datetime | None = None
    user_id: str | None = None
    display_name: str | None = None
    is_recorder: bool = False

    @classmethod
    def of(cls, row: ParticipantSession) -> "Observation":
        """What we hold for a participant now, as one observation."""
        return cls(
            row.meeting_id,
            row.platform_participant_id,
            joined_at=row.joined_at,
            left_at=row.left_at,
            user_id=row.user_id,
            display_name=row.display_name,
            is_recorder=row.is_recorder,
        )

    @property
    def key(self) -> tuple[uuid.UUID, str]:
        return self.meeting_id, self.participant_id

    def merged(self, other: "Observation") -> "Observation":
        """The same merge the database applies: earliest join, latest leave, first name."""
        return replace(
            self,
            joined_at=_min(self.joined_at, other.joined_at),
            left_at=_max(self.left_at, other.left_at),
            user_id=self.user_id or other.user_id,
            display_name=self.display_name or other.display_name,
            is_recorder=self.is_recorder or other.is_recorder,
        )


def _min(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def earliest(current: _When, new: _When) -> ColumnElement[datetime | None]:
    return case((current.is_(None), new), (new < current, new), else_=current)


def latest(current: _When, new: _When) -> ColumnElement[datetime | None]:
    return case((current.is_(None), new), (new > current, new), else_=current)


def merge(observations: Iterable[Observation]) -> list[Observation]:
    """One observation per participant connection, merged as the database merges them."""
    merged: dict[tuple[uuid.UUID, str], Observation] = {}
    for seen in observations:
        earlier = merged.get(seen.key)
        merged[seen.key] = earlier.merged(seen) if earlier else seen
    return list(merged.values())


async def record(session: AsyncSession, observations: Iterable[Observation]) -> None:
    """Merge observations into participant sessions.

    Commutative and idempotent, so duplicates and any arrival order give the same rows.
    """
    merged = merge(observations)
    if not merged:
        return
    statement = insert(session, ParticipantSession)
    new = statement.excluded
    rows = [
        {
            "id": uuid.uuid4(),
            "meeting_id": seen.meeting_id,
            "platform_participant_id": seen.participant_id,
            "user_id": seen.user_id,
            "display_name": seen.display_name,
            "joined_at": seen.joined_at,
            "left_at": seen.left_at,
            "is_recorder": seen.is_recorder,
        }
        for seen in merged
    ]
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[
                ParticipantSession.meeting_id,
                ParticipantSession.platform_participant_id,
            ],
            set_={
                "joined_at": earliest(ParticipantSession.joined_at, new.joined_at),
                "left_at": latest(ParticipantSession.left_at, new.left_at),
                "user_id": func.coalesce(ParticipantSession.user_id, new.user_id),
                "display_name": func.coalesce(ParticipantSession.display_name, new.display_name),
                "is_recorder": ParticipantSession.is_recorder | new.is_recorder,
            },
        ),
        rows,
    )


async def close_open_sessions(session: AsyncSession, meeting_id: uuid.UUID, at: datetime) -> None:
    """Everyone still in the meeting has left at `at` (the platform room is gone)."""
    await session.execute(
        update(ParticipantSession)
        .where(
            ParticipantSession.meeting_id == meeting_id,
            ParticipantSession.joined_at.is_not(None),
            ParticipantSession.left_at.is_(None),
        )
        .values(left_at=at)
    )


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
