import uuid
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from reflector.api.deps import CallerDep, LinkRateLimit, RuntimeDep
from reflector.api.presenters import meeting_out, room_out
from reflector.api.schemas import (
    MeetingCreate,
    MeetingOut,
    Page,
    RoomOut,
    WebhookDeliveryOut,
    WebhookTestOut,
)
from reflector.rooms import directory, meetings, removal, room_webhooks
from reflector.rooms.fields import RoomCreate, RoomName, RoomUpdate

router = APIRouter(prefix="/v1/rooms", tags=["rooms"])


@router.post("", status_code=status.HTTP_201_CREATED)
async def create_room(body: RoomCreate, runtime: RuntimeDep, caller: CallerDep) -> RoomOut:
    return room_out(await directory.create(runtime, caller, body), caller)


@router.get("")
async def list_rooms(
    runtime: RuntimeDep,
    caller: CallerDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 50,
) -> Page[RoomOut]:
    items, total = await directory.list_visible(runtime, caller, page, size)
    return Page(items=[room_out(r, caller) for r in items], total=total, page=page, size=size)


@router.get("/name/{room_name}")
async def get_room_by_name(room_name: RoomName, runtime: RuntimeDep, caller: CallerDep) -> RoomOut:
    async with runtime.db.read() as session:
        return room_out(await directory.get_visible(session, caller, name=room_name), caller)


@router.get("/{room_id}")
async def get_room(room_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep) -> RoomOut:
    async with runtime.db.read() as session:
        return room_out(await directory.get_visible(session, caller, id=room_id), caller)


@router.patch("/{room_id}")
async def update_room(
    room_id: uuid.UUID, body: RoomUpdate, runtime: RuntimeDep, caller: CallerDep
) -> RoomOut:
    return room_out(await directory.update(runtime, caller, room_id, body), caller)


@router.delete("/{room_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_room(room_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep) -> None:
    """Delete the room with everything under it: meetings, recordings and their files,
    transcripts. A meeting on now is ended first, and its platform room deleted."""
    await removal.delete_room(runtime, caller, room_id)


@router.post(
    "/{room_name}/meeting",
    dependencies=[LinkRateLimit],
    responses={429: {"description": "Too many meetings or links asked for this minute"}},
)
async def create_meeting(
    room_name: RoomName,
    runtime: RuntimeDep,
    caller: CallerDep,
    body: MeetingCreate | None = None,
) -> MeetingOut:
    allow_duplicated = body.allow_duplicated if body else False
    room, meeting = await meetings.get_or_create(
        runtime, caller, room_name, allow_duplicated=allow_duplicated
    )
    async with runtime.db.read() as session:
        return await meeting_out(session, room, meeting, caller)


@router.get("/{room_id}/meetings")
async def room_meetings(
    room_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[MeetingOut]:
    """The room's meetings, past ones included, newest first."""
    async with runtime.db.read() as session:
        room = await directory.get_visible(session, caller, id=room_id)
        found, total = await meetings.history(session, room, page, size)
        items = [await meeting_out(session, room, meeting, caller) for meeting in found]
    return Page(items=items, total=total, page=page, size=size)


@router.get("/{room_name}/meetings/active")
async def active_meetings(
    room_name: RoomName, runtime: RuntimeDep, caller: CallerDep
) -> list[MeetingOut]:
    async with runtime.db.read() as session:
        room = await directory.get_visible(session, caller, name=room_name)
    found = await meetings.active_meetings(runtime, room)
    async with runtime.db.read() as session:
        return [await meeting_out(session, room, m, caller) for m in found]


@router.post("/{room_id}/webhook/test", status_code=status.HTTP_202_ACCEPTED)
async def test_webhook(
    room_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> WebhookTestOut:
    """Queue a signed `webhook.test` event to the room's webhook URL; see the deliveries."""
    async with runtime.db.write() as session:
        room = await directory.get_owned(session, caller, room_id)
        message_id = await room_webhooks.enqueue_event(
            session,
            runtime,
            room,
            "webhook.test",
            {"room_id": str(room.id), "room_name": room.name},
        )
    if message_id is None:
        raise HTTPException(409, "the room has no webhook_url")
    return WebhookTestOut(message_id=message_id)


@router.get("/{room_id}/webhook/deliveries")
async def webhook_deliveries(
    room_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[WebhookDeliveryOut]:
    """The latest delivery attempts to the room's webhook, newest first."""
    async with runtime.db.read() as session:
        room = await directory.get_owned(session, caller, room_id)
        found = await room_webhooks.deliveries(session, room.id, limit)
    return [WebhookDeliveryOut.model_validate(delivery) for delivery in found]
