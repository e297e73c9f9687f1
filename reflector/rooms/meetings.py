"""Meetings: create-or-reuse on the selected platform, join links, ending."""

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.accounts.auth import Caller
from reflector.db import EndReason, Meeting, MeetingState, Room
from reflector.infra.errors import Conflict, Forbidden, NotFound
from reflector.rooms import lifecycle, participants
from reflector.rooms.directory import get_visible, is_owner, visible_to
from reflector.runtime import Runtime
from reflector.video_platforms.base import JoinUser, MeetingData, Role


async def active_meetings(runtime: Runtime, room: Room) -> list[Meeting]:
    async with runtime.db.read() as session:
        return await _active(session, room, runtime)


def _is_active(now: datetime) -> ColumnElement[bool]:
    return and_(Meeting.state == MeetingState.ACTIVE, Meeting.end_date > now)


async def _active(session: AsyncSession, room: Room, runtime: Runtime) -> list[Meeting]:
    query = (
        select(Meeting)
        .where(Meeting.room_id == room.id, _is_active(runtime.clock()))
        .order_by(Meeting.created_at.desc())
    )
    return list((await session.scalars(query)).all())


async def newest_active(
    session: AsyncSession, room_ids: Iterable[uuid.UUID], now: datetime
) -> dict[uuid.UUID, Meeting]:
    """Each room's newest active meeting, for the rooms that have one."""
    query = (
        select(Meeting)
        .where(Meeting.room_id.in_(list(room_ids)), _is_active(now))
        .order_by(Meeting.created_at)
    )
    return {meeting.room_id: meeting for meeting in (await session.scalars(query)).all()}


async def live(
    session: AsyncSession, room_ids: Iterable[uuid.UUID], now: datetime
) -> dict[uuid.UUID, tuple[Meeting, int]]:
    """Each room's meeting on now, with how many people are in it (rooms without one are
    left out)."""
    found = await newest_active(session, room_ids, now)
    counts = await participants.open_counts(session, [m.id for m in found.values()])
    return {room_id: (meeting, counts.get(meeting.id, 0)) for room_id, meeting in found.items()}


async def get_or_create(
    runtime: Runtime, caller: Caller, room_name: str, *, allow_duplicated: bool
) -> tuple[Room, Meeting]:
    """The room's active meeting, or a new one on the platform the selection rules pick.

    The platform is called outside any transaction; if a concurrent request created a
    meeting meanwhile, ours is discarded so that a room has one active meeting.
    """
    async with runtime.db.read() as session:
        room = await get_visible(session, caller, name=room_name)
        if allow_duplicated and not is_owner(room, caller):
            raise Forbidden("only the room's owner may start another meeting beside its own")
        existing = [] if allow_duplicated else await _active(session, room, runtime)
    if existing:
        return room, existing[0]

    now = runtime.clock()
    end_date = now + timedelta(seconds=runtime.config.settings.MEETING_DURATION_SECONDS)
    data = await runtime.platforms.create_meeting(room, end_date)
    meeting = _meeting_from(data, room, now, end_date)
    async with runtime.db.write() as session:
        if await session.get(Room, room.id) is None:
            raise NotFound("room not found")
        raced = [] if allow_duplicated else await _active(session, room, runtime)
        if raced:
            await lifecycle.schedule_room_deletion(session, meeting, runtime.clock())
        else:
            session.add(meeting)
    if raced:
        return room, raced[0]
    return room, meeting


def _meeting_from(data: MeetingData, room: Room, now: datetime, end_date: datetime) -> Meeting:
    return Meeting(
        room_id=room.id,
        platform=data.platform,
        platform_meeting_id=data.meeting_id,
        platform_room_name=data.room_name,
        room_url=data.room_url,
        host_room_url=data.host_room_url,
        start_date=now,
        end_date=end_date,
        state=MeetingState.ACTIVE,
        provider_data=data.extra_data,
        created_at=now,
    )


async def history(
    session: AsyncSession, room: Room, page: int, size: int
) -> tuple[list[Meeting], int]:
    """A page of the room's meetings, newest first, and how many it has in all."""
    total = await session.scalar(
        select(func.count()).select_from(Meeting).where(Meeting.room_id == room.id)
    )
    found = await session.scalars(
        select(Meeting)
        .where(Meeting.room_id == room.id)
        .order_by(Meeting.created_at.desc(), Meeting.id)
        .offset((page - 1) * size)
        .limit(size)
    )
    return list(found), total or 0


async def get_visible_meeting(
    session: AsyncSession, caller: Caller, meeting_id: uuid.UUID
) -> tuple[Room, Meeting]:
    row = (
        await session.execute(
            select(Room, Meeting)
            .join(Meeting, Meeting.room_id == Room.id)
            .where(Meeting.id == meeting_id, visible_to(caller))
        )
    ).first()
    if row is None:
        raise NotFound("meeting not found")
    return row[0], row[1]


async def join_url(
    runtime: Runtime,
    room: Room,
    meeting: Meeting,
    caller: Caller,
    role: Role | None,
    display_name: str | None,
) -> tuple[str, Role]:
    owner = is_owner(room, caller)
    role = role or (Role.HOST if owner else Role.PARTICIPANT)
    if role is Role.HOST and not owner:
        raise Forbidden("only the room's owner may join as host")
    if meeting.state == MeetingState.ENDED:
        raise Conflict("the meeting has ended; create a new one")
    client = runtime.platforms.client(meeting.platform)
    user = JoinUser(id=caller.user_id, chosen_name=display_name)
    return await client.join_url(meeting, user, role), role


async def end(runtime: Runtime, caller: Caller, meeting_id: uuid.UUID) -> tuple[Room, Meeting]:
    async with runtime.db.write() as session:
        room, meeting = await get_visible_meeting(session, caller, meeting_id)
        if not is_owner(room, caller):
            raise Forbidden("only the room's owner may end its meetings")
        now = runtime.clock()
        if await lifecycle.end_meeting(session, meeting, EndReason.ENDED_BY_HOST, now, now):
            await session.refresh(meeting)
    return room, meeting
