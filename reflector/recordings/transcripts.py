"""Finding transcripts: every one a caller can see, by room, by the words in them."""

import uuid

from sqlalchemy import ColumnElement, TextClause, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.accounts.auth import Caller
from reflector.db import Room, Transcript
from reflector.infra.errors import NotFound
from reflector.recordings import search
from reflector.rooms import meetings
from reflector.rooms.directory import visible_to


async def find(
    session: AsyncSession,
    caller: Caller,
    *,
    room: str | None = None,
    words: str | None = None,
    page: int = 1,
    size: int = 20,
) -> tuple[list[tuple[Transcript, Room]], int]:
    """A page of the transcripts `caller` can see, newest first, and how many there are;
    `room` is a room's id or name, `words` must all be in the text."""
    conditions: list[ColumnElement[bool] | TextClause] = [visible_to(caller)]
    if room is not None:
        room_id = _uuid(room)
        conditions.append(Room.id == room_id if room_id else Room.name == room)
    if words:
        conditions.append(search.matching(session, words))
    query = select(Transcript, Room).join(Room, Room.id == Transcript.room_id).where(*conditions)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    found = await session.execute(
        query.order_by(Transcript.created_at.desc(), Transcript.id)
        .offset((page - 1) * size)
        .limit(size)
    )
    return [(transcript, found_room) for transcript, found_room in found], total or 0


async def get_visible(
    session: AsyncSession, caller: Caller, transcript_id: uuid.UUID
) -> tuple[Transcript, Room]:
    transcript = await session.get(Transcript, transcript_id)
    if transcript is None:
        raise NotFound("transcript not found")
    room, _ = await meetings.get_visible_meeting(session, caller, transcript.meeting_id)
    return transcript, room


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
