"""Participant sessions: merged from events in any order, counted, never incremented.

The merge keeps the earliest join and the latest leave, so duplicates and any arrival order
give the same rows. One exception: a leave that reconciliation inferred (the platform's
snapshot no longer listed the connection, `closed_by_check`) is a verdict, not evidence, so
later evidence undoes it: the connection listed or joined again reopens it, and a real leave
replaces it. Reconciliation itself only judges connections with no evidence newer than its
snapshot (`close_unseen`).
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from reflector.db import Meeting, MeetingState, ParticipantSession
from reflector.db.upsert import Insert, built_once, insert_into

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
    closed_by_check: bool = False

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
            closed_by_check=row.closed_by_check,
        )

    @property
    def key(self) -> tuple[uuid.UUID, str]:
        return self.meeting_id, self.participant_id

    def merged(self, other: "Observation") -> "Observation":
        """The same merge the database applies: earliest join, latest leave, first name."""
        left_at, closed_by_check = _max(self.left_at, other.left_at), self.closed_by_check
        if self.closed_by_check and other.is_evidence:
            left_at, closed_by_check = other.left_at, False
        return replace(
            self,
            joined_at=_min(self.joined_at, other.joined_at),
            left_at=left_at,
            user_id=self.user_id or other.user_id,
            display_name=self.display_name or other.display_name,
            is_recorder=self.is_recorder or other.is_recorder,
            closed_by_check=closed_by_check,
        )

    @property
    def is_evidence(self) -> bool:
        """Whether it says something about the connection (a join, a leave, a listing)."""
        return (self.joined_at or self.left_at) is not None


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


@built_once
def _merge_statement(dialect: str) -> Insert:
    """The upsert `record` runs: the merge of the module's docstring, in SQL."""
    statement = insert_into(dialect, ParticipantSession)
    new, current = statement.excluded, statement.table.c
    # A reconciliation's verdict gives way to evidence (see the module's docstring).
    evidence = or_(new.joined_at.is_not(None), new.left_at.is_not(None))
    overturned = and_(current.closed_by_check, evidence)
    return statement.on_conflict_do_update(
        index_elements=[current.meeting_id, current.platform_participant_id],
        set_={
            "joined_at": earliest(current.joined_at, new.joined_at),
            "left_at": case((overturned, new.left_at), else_=latest(current.left_at, new.left_at)),
            "user_id": func.coalesce(current.user_id, new.user_id),
            "display_name": func.coalesce(current.display_name, new.display_name),
            "is_recorder": current.is_recorder | new.is_recorder,
            "observed_at": latest(current.observed_at, new.observed_at),
            "closed_by_check": case((overturned, false()), else_=current.closed_by_check),
        },
    )


async def record(session: AsyncSession, observations: Iterable[Observation], now: datetime) -> None:
    """Merge observations into participant sessions, noting `now` as when they were seen."""
    merged = merge(observations)
    if not merged:
        return
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
            "observed_at": now,
        }
        # In key order, so that concurrent transactions lock rows in one order (no deadlock).
        for seen in sorted(merged, key=lambda seen: (str(seen.meeting_id), seen.participant_id))
    ]
    await session.execute(_merge_statement(session), rows)


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


async def close_unseen(session: AsyncSession, seen: ParticipantSession, at: datetime) -> bool:
    """Close a connection a platform snapshot did not list, as reconciliation's verdict.

    `seen` is the row as read before the platform was asked. The close happens only if
    nothing was recorded about the connection since (a join or any event committed while
    the snapshot was taken would not be in it), checked in the same statement.
    """
    closed = await session.execute(
        update(ParticipantSession)
        .where(
            ParticipantSession.id == seen.id,
            ParticipantSession.joined_at.is_not(None),
            ParticipantSession.left_at.is_(None),
            ParticipantSession.observed_at.is_not_distinct_from(seen.observed_at),
        )
        .values(left_at=at, closed_by_check=True, observed_at=at)
        .returning(ParticipantSession.id)
    )
    return closed.first() is not None


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


async def open_counts(
    session: AsyncSession, meeting_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """People in each of these meetings now (a meeting nobody is in is left out)."""
    query = (
        select(ParticipantSession.meeting_id, func.count())
        .where(ParticipantSession.meeting_id.in_(list(meeting_ids)), _open_clients())
        .group_by(ParticipantSession.meeting_id)
    )
    return {meeting_id: count for meeting_id, count in (await session.execute(query)).all()}


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
