"""The mock platform's own record of who is in its rooms.

A real platform knows its participants whether or not its webhooks reach us; the mock learns
it from the events it delivers, and from `POST /v1/mock/presence`, which reports an event the
platform saw but whose webhook was lost. Its sessions API answers from both.
"""

from datetime import datetime

from sqlalchemy import Boolean, String, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from reflector.db import Base, MeetingState
from reflector.db.upsert import insert
from reflector.inbox.actions import ParticipantJoined, ParticipantLeft
from reflector.inbox.receiving import observation
from reflector.rooms.meetings import newest_in_platform_room
from reflector.rooms.participants import Observation, earliest, latest, merge
from reflector.video_platforms.base import SessionData
from reflector.video_platforms.delivered import as_sessions, delivered_actions
from reflector.video_platforms.mock.events import PLATFORM, translate


class MockPresence(Base):
    __tablename__ = "mock_presence"

    room_name: Mapped[str] = mapped_column(String(255), primary_key=True)
    participant_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    user_name: Mapped[str | None] = mapped_column(String(255))
    is_recorder: Mapped[bool] = mapped_column(Boolean, server_default=false())
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]


async def observe(session: AsyncSession, event: ParticipantJoined | ParticipantLeft) -> None:
    joined = event if isinstance(event, ParticipantJoined) else None
    statement = insert(session, MockPresence)
    new = statement.excluded
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[MockPresence.room_name, MockPresence.participant_id],
            set_={
                "joined_at": earliest(MockPresence.joined_at, new.joined_at),
                "left_at": latest(MockPresence.left_at, new.left_at),
                "user_name": func.coalesce(MockPresence.user_name, new.user_name),
                "is_recorder": MockPresence.is_recorder | new.is_recorder,
            },
        ),
        {
            "room_name": event.room_name,
            "participant_id": event.participant_id,
            "user_name": joined.display_name if joined else None,
            "is_recorder": event.is_recorder,
            "joined_at": event.at if joined else None,
            "left_at": None if joined else event.at,
        },
    )


async def meeting_on(session: AsyncSession, room_name: str) -> bool:
    """Whether the room's newest meeting is on: the one events about the room go to."""
    meeting = await newest_in_platform_room(session, PLATFORM, room_name)
    return meeting is not None and meeting.state == MeetingState.ACTIVE


async def sessions(session: AsyncSession, room_name: str) -> list[SessionData]:
    """The room's sessions: what its delivered events and reported presence say, merged."""
    meeting, actions = await delivered_actions(session, PLATFORM, room_name, translate)
    if meeting is None:
        return []
    seen = [
        observation(meeting.id, action)
        for action in actions
        if isinstance(action, ParticipantJoined | ParticipantLeft)
    ]
    reported = select(MockPresence).where(MockPresence.room_name == room_name)
    seen += [
        Observation(
            meeting.id,
            row.participant_id,
            joined_at=row.joined_at,
            left_at=row.left_at,
            display_name=row.user_name,
            is_recorder=row.is_recorder,
        )
        for row in (await session.scalars(reported)).all()
    ]
    return as_sessions(merge(seen))
