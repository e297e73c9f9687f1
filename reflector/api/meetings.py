import uuid

from fastapi import APIRouter, HTTPException
from sqlalchemy import select

from reflector.api.deps import CallerDep, LinkRateLimit, RuntimeDep
from reflector.api.presenters import meeting_detail
from reflector.api.schemas import (
    ConsentIn,
    ConsentOut,
    JoinOut,
    JoinRequest,
    MeetingDetail,
    RoomPresence,
    SessionOut,
)
from reflector.db import Room
from reflector.recordings import consent_answers
from reflector.rooms import meetings
from reflector.rooms.directory import visible_to
from reflector.video_platforms.base import Capability

router = APIRouter(prefix="/v1/meetings", tags=["meetings"])
presence_router = APIRouter(tags=["meetings"])


@presence_router.get("/v1/presence")
async def presence(runtime: RuntimeDep, caller: CallerDep) -> list[RoomPresence]:
    """The caller's rooms that have a meeting on now, with how many people are in each."""
    async with runtime.db.read() as session:
        visible = (
            await session.execute(select(Room.id, Room.name).where(visible_to(caller)))
        ).all()
        live = await meetings.live(session, [id for id, _ in visible], runtime.clock())
    return [
        RoomPresence(
            room_id=room_id,
            room_name=name,
            meeting_id=live[room_id][0].id,
            platform=live[room_id][0].platform,
            num_clients=live[room_id][1],
        )
        for room_id, name in visible
        if room_id in live
    ]


@router.get("/{meeting_id}")
async def get_meeting(
    meeting_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> MeetingDetail:
    async with runtime.db.read() as session:
        room, meeting = await meetings.get_visible_meeting(session, caller, meeting_id)
        return await meeting_detail(session, room, meeting, caller)


@router.post(
    "/{meeting_id}/join",
    dependencies=[LinkRateLimit],
    responses={429: {"description": "Too many links asked for this minute"}},
)
async def join_meeting(
    meeting_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    body: JoinRequest | None = None,
) -> JoinOut:
    body = body or JoinRequest()
    async with runtime.db.read() as session:
        room, meeting = await meetings.get_visible_meeting(session, caller, meeting_id)
    url, role = await meetings.join_url(
        runtime, room, meeting, caller, body.role, body.display_name
    )
    return JoinOut(url=url, role=role, platform=meeting.platform)


@router.post("/{meeting_id}/consent", responses={409: {"description": "The room does not ask"}})
async def give_consent(
    meeting_id: uuid.UUID, body: ConsentIn, runtime: RuntimeDep, caller: CallerDep
) -> ConsentOut:
    """The caller's answer to being recorded in this meeting (answering again replaces it).
    A refusal withholds the caller's track from processing and deletes it; in a mixed
    recording it has the audio deleted as soon as the transcript exists."""
    answer = await consent_answers.give(runtime, caller, meeting_id, body.answer)
    return ConsentOut.model_validate(answer)


@router.get("/{meeting_id}/sessions")
async def meeting_sessions(
    meeting_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> list[SessionOut]:
    async with runtime.db.read() as session:
        _, meeting = await meetings.get_visible_meeting(session, caller, meeting_id)
    client = runtime.platforms.client(meeting.platform)
    if not client.has(Capability.SESSIONS_API):
        raise HTTPException(
            409,
            f"platform {meeting.platform!r} has no sessions API; "
            "the meeting's participants are in GET /v1/meetings/{meeting_id}",
        )
    sessions = await client.get_room_sessions(meeting.platform_room_name)
    return [SessionOut.model_validate(s.model_dump()) for s in sessions]


@router.post("/{meeting_id}/end")
async def end_meeting(
    meeting_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> MeetingDetail:
    room, meeting = await meetings.end(runtime, caller, meeting_id)
    async with runtime.db.read() as session:
        return await meeting_detail(session, room, meeting, caller)
