"""Rooms: who may see and change them, and which platform they sit on."""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.accounts.auth import Caller
from reflector.config.settings import Settings
from reflector.db import Room
from reflector.db.kinds import RecordingType
from reflector.infra.errors import Conflict, Forbidden, InvalidField, NotFound
from reflector.rooms import room_webhooks
from reflector.rooms.fields import RoomCreate, RoomUpdate
from reflector.runtime import Runtime
from reflector.video_platforms.base import Capability
from reflector.video_platforms.errors import PlatformNotConfigured

# Fields a PATCH may set to null; the others may be left out, but not emptied.
NULLABLE = frozenset(
    {
        "title",
        "webhook_url",
        "webhook_secret",
        "consent_default",
        "retention_media_days",
        "retention_transcript_days",
    }
)
# A recording a room may ask for only on a platform that can make it.
RECORDING_NEEDS = {RecordingType.CLOUD.value: Capability.CLOUD_RECORDING}


def default_recording(capabilities: frozenset[Capability]) -> RecordingType:
    """What a new room records unless asked otherwise: the platform's cloud recording where
    it makes one, else nothing (a browser's local recording never reaches us)."""
    if Capability.CLOUD_RECORDING in capabilities:
        return RecordingType.CLOUD
    return RecordingType.NONE


def visible_to(caller: Caller) -> ColumnElement[bool]:
    return or_(Room.owner == caller.user_id, Room.is_shared.is_(True))


def is_owner(room: Room, caller: Caller) -> bool:
    return room.owner == caller.user_id


async def get_visible(session: AsyncSession, caller: Caller, **by: Any) -> Room:
    room = await session.scalar(select(Room).filter_by(**by).where(visible_to(caller)))
    if room is None:
        raise NotFound("room not found")
    return room


async def get_owned(session: AsyncSession, caller: Caller, room_id: uuid.UUID) -> Room:
    room = await get_visible(session, caller, id=room_id)
    if not is_owner(room, caller):
        raise Forbidden("only the room's owner may change it")
    return room


async def list_visible(
    runtime: Runtime, caller: Caller, page: int, size: int
) -> tuple[list[Room], int]:
    async with runtime.db.read() as session:
        total = await session.scalar(
            select(func.count()).select_from(Room).where(visible_to(caller))
        )
        rooms = await session.scalars(
            select(Room)
            .where(visible_to(caller))
            .order_by(Room.created_at.desc(), Room.name)
            .offset((page - 1) * size)
            .limit(size)
        )
        return list(rooms.all()), total or 0


def _checked_platform(runtime: Runtime, requested: str | None) -> str:
    try:
        return runtime.platforms.for_new_room(requested)
    except PlatformNotConfigured as exc:
        raise InvalidField(("body", "platform"), exc.message) from None


def _check_recording(runtime: Runtime, platform: str, recording: str) -> None:
    """A recording asked for must be one the platform makes (the default asks for nothing)."""
    needed = RECORDING_NEEDS.get(recording)
    if needed and needed not in runtime.platforms.capabilities(platform):
        raise InvalidField(
            ("body", "recording_type"), f"{platform} cannot make {recording} recordings"
        )


def _check_retention(settings: Settings, fields: dict[str, Any]) -> None:
    """A room may keep things for less time than the service does, never for more."""
    limits = {
        "retention_media_days": ("media", settings.RETENTION_MEDIA_DAYS),
        "retention_transcript_days": ("transcripts", settings.RETENTION_TRANSCRIPT_DAYS),
    }
    for field, (what, service) in limits.items():
        days = fields.get(field)
        if days is not None and service is not None and days > service:
            raise InvalidField(
                ("body", field),
                f"this service deletes {what} after {service} day(s); a room may only shorten that",
            )


async def create(runtime: Runtime, caller: Caller, data: RoomCreate) -> Room:
    fields = data.model_dump(exclude={"platform"})
    _check_retention(runtime.config.settings, fields)
    platform = _checked_platform(runtime, data.platform)
    if data.recording_type is None:
        fields["recording_type"] = default_recording(runtime.platforms.capabilities(platform))
    else:
        _check_recording(runtime, platform, data.recording_type)
    if data.webhook_url:
        await room_webhooks.check_target(data.webhook_url, runtime.config.settings)
    if data.webhook_url and not data.webhook_secret:
        fields["webhook_secret"] = room_webhooks.new_secret()
    room = Room(
        **fields,
        owner=caller.user_id,
        platform=platform,
        created_at=runtime.clock(),
    )
    async with runtime.db.write() as session:
        if await session.scalar(select(Room.id).where(Room.name == data.name)) is not None:
            raise Conflict(f"a room named {data.name!r} already exists")
        session.add(room)
    return room


async def update(runtime: Runtime, caller: Caller, room_id: uuid.UUID, data: RoomUpdate) -> Room:
    changes = data.model_dump(exclude_unset=True)
    for field, value in changes.items():
        if value is None and field not in NULLABLE:
            raise InvalidField(("body", field), f"{field} cannot be null")
    _check_retention(runtime.config.settings, changes)
    if "platform" in changes:
        changes["platform"] = _checked_platform(runtime, changes["platform"])
    if changes.get("webhook_url"):
        await room_webhooks.check_target(changes["webhook_url"], runtime.config.settings)
    async with runtime.db.write() as session:
        room = await get_owned(session, caller, room_id)
        # What the room records already stays accepted; a new value or platform is checked.
        recording = changes.get("recording_type", room.recording_type)
        platform = changes.get("platform", room.platform)
        if (recording, platform) != (room.recording_type, room.platform):
            _check_recording(runtime, platform, recording)
        new_name = changes.get("name")
        if new_name and new_name != room.name:
            taken = await session.scalar(select(Room.id).where(Room.name == new_name))
            if taken is not None:
                raise Conflict(f"a room named {new_name!r} already exists")
        for field, value in changes.items():
            setattr(room, field, value)
        if room.webhook_url and not room.webhook_secret:
            room.webhook_secret = room_webhooks.new_secret()
    return room
