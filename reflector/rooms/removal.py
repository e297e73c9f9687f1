"""Deleting what the service holds: a recording (its files, its transcript), a transcript,
a room with everything under it (its meeting on now ended first), a user with their rooms
(or with their rooms handed on).

Rows go first, in one transaction, so nothing visible points at a missing file; the files
go right after. A file that cannot be removed is logged and left as an orphan rather than
failing a deletion the caller has already seen succeed.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.accounts.auth import Caller
from reflector.db import (
    ApiKey,
    ConsentAnswer,
    EndReason,
    Meeting,
    MeetingState,
    Recording,
    Room,
    Transcript,
    User,
    WebSession,
)
from reflector.infra.errors import Forbidden, InvalidField, NotFound
from reflector.infra.storage import remove_all
from reflector.recordings import incoming
from reflector.rooms import directory, lifecycle, meetings
from reflector.runtime import Runtime

Owned = TypeVar("Owned", Recording, Transcript)
DELETED_USER = "a deleted user"


async def delete_recording(runtime: Runtime, caller: Caller, recording_id: uuid.UUID) -> None:
    async with runtime.db.write() as session:
        recording = await _owned(session, caller, Recording, recording_id, "recording")
        keys = incoming.stored_keys([recording])
        await session.delete(recording)  # its transcript goes with it (ON DELETE CASCADE)
    await remove_all(runtime.storage, keys)


async def delete_transcript(runtime: Runtime, caller: Caller, transcript_id: uuid.UUID) -> None:
    """The transcript alone; its recording stays and can be processed again."""
    async with runtime.db.write() as session:
        await session.delete(await _owned(session, caller, Transcript, transcript_id, "transcript"))


async def delete_room(runtime: Runtime, caller: Caller, room_id: uuid.UUID) -> None:
    """The room, its meetings, their participants, recordings and transcripts, and files."""
    async with runtime.db.write() as session:
        room = await directory.get_owned(session, caller, room_id)
        await _end_meetings(session, [room.id], runtime.clock())
        keys = incoming.stored_keys(
            await session.scalars(
                select(Recording)
                .join(Meeting, Meeting.id == Recording.meeting_id)
                .where(Meeting.room_id == room.id)
            )
        )
        await session.delete(room)  # everything under it goes too (ON DELETE CASCADE)
    await remove_all(runtime.storage, keys)


async def _end_meetings(session: AsyncSession, room_ids: list[uuid.UUID], now: datetime) -> None:
    """The rooms' meetings that are on end as if their host ended them, so that their
    platform rooms are deleted too (the deletion jobs outlive the rows)."""
    active = await session.scalars(
        select(Meeting).where(Meeting.room_id.in_(room_ids), Meeting.state == MeetingState.ACTIVE)
    )
    for meeting in active.all():
        await lifecycle.end_meeting(session, meeting, EndReason.ENDED_BY_HOST, now, now)


@dataclass(frozen=True)
class UserRemoved:
    """What went with a user (or, for rooms given on, what was given)."""

    rooms: int
    meetings: int
    recordings: int
    transcripts: int
    answers: int


async def delete_user(runtime: Runtime, name: str, successor: str | None = None) -> UserRemoved:
    """The user, their sessions and keys, and their rooms: deleted with everything under them,
    or given to `successor`. A user is known by name, so nothing of theirs may outlive
    them: a new user of the same name starts with nothing. Their answers to being recorded
    in others' meetings stay, as answers of "a deleted user", so that a refusal still holds."""
    async with runtime.db.write() as session:
        if await session.scalar(select(User.id).where(User.name == name)) is None:
            raise NotFound(f"no user is named {name!r}")
        if successor is not None and (
            successor == name
            or await session.scalar(select(User.id).where(User.name == successor)) is None
        ):
            raise InvalidField(("reassign_to",), f"no other user is named {successor!r}")
        owned = list((await session.scalars(select(Room).where(Room.owner == name))).all())
        room_ids = [room.id for room in owned]
        removed = UserRemoved(
            rooms=len(owned),
            meetings=await _count(session, Meeting, Meeting.room_id.in_(room_ids)),
            recordings=await _count(
                session, Recording, Recording.meeting_id.in_(_meetings_of(room_ids))
            ),
            transcripts=await _count(session, Transcript, Transcript.room_id.in_(room_ids)),
            answers=await _count(session, ConsentAnswer, ConsentAnswer.user_id == name),
        )
        keys: list[str] = []
        if successor is not None:
            for room in owned:
                room.owner = successor
        else:
            await _end_meetings(session, room_ids, runtime.clock())
            keys = incoming.stored_keys(
                await session.scalars(
                    select(Recording)
                    .join(Meeting, Meeting.id == Recording.meeting_id)
                    .where(Meeting.room_id.in_(room_ids))
                )
            )
            for room in owned:
                await session.delete(room)
        await session.execute(delete(WebSession).where(WebSession.user_id == name))
        await session.execute(delete(ApiKey).where(ApiKey.user_id == name))
        await session.execute(delete(User).where(User.name == name))
        await session.execute(
            update(ConsentAnswer)
            .where(ConsentAnswer.user_id == name)
            .values(user_id=None, name=DELETED_USER)
        )
    await remove_all(runtime.storage, keys)
    return removed


def _meetings_of(room_ids: list[uuid.UUID]) -> Select[Any]:
    return select(Meeting.id).where(Meeting.room_id.in_(room_ids))


async def _count(session: AsyncSession, model: type[Any], condition: ColumnElement[bool]) -> int:
    return await session.scalar(select(func.count()).select_from(model).where(condition)) or 0


async def _owned(
    session: AsyncSession, caller: Caller, model: type[Owned], row_id: uuid.UUID, what: str
) -> Owned:
    row = await session.get(model, row_id)
    if row is None:
        raise NotFound(f"{what} not found")
    room, _ = await meetings.get_visible_meeting(session, caller, row.meeting_id)
    if not directory.is_owner(room, caller):
        raise Forbidden(f"only the room's owner may delete a {what}")
    return row
