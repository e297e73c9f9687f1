"""The room page: the meeting embedded, who is in, and the room's history."""

import uuid
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.api.deps import RuntimeDep
from reflector.db import Meeting, ParticipantSession, Recording, Room
from reflector.infra.errors import NotFound
from reflector.recordings import expiry, incoming
from reflector.rooms import directory, meetings
from reflector.rooms.fields import RoomName
from reflector.web.access import SignedIn
from reflector.web.render import ONLY_OURS, PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)
HISTORY_SIZE = 20


@dataclass(frozen=True)
class PastMeeting:
    meeting: Meeting
    people: list[ParticipantSession]
    recordings: list[Recording]
    transcripts: dict[uuid.UUID, uuid.UUID]


@router.get("/r/{room_name}")
async def room_page(
    room_name: RoomName, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    caller = visitor.caller
    async with runtime.db.read() as session:
        room = await directory.get_visible(session, caller, name=room_name)
        live = (await meetings.newest_active(session, [room.id], runtime.clock())).get(room.id)
        history = await _history(session, room)
    # The page is built for the platform the meeting will be on: the one in progress, else
    # the one the selection rules pick (room.js reloads if the meeting lands elsewhere).
    platform = live.platform if live else runtime.platforms.for_meeting(room)[0]
    embed = runtime.platforms.spec(platform).embed
    sources = embed.sources(runtime.platforms.settings(platform)) if embed else ONLY_OURS
    present = [
        person
        for past in history
        if live and past.meeting.id == live.id
        for person in past.people
        if person.joined_at is not None and person.left_at is None
    ]
    media_until = {
        recording.id: expiry.media_due(runtime.config.settings, room, recording)
        for past in history
        for recording in past.recordings
    }
    return page(
        request,
        "room.html",
        visitor=visitor,
        room=room,
        is_owner=directory.is_owner(room, caller),
        platform=platform,
        embed=embed is not None,
        vendor_scripts=sources.scripts,
        live=live,
        present=present,
        history=history,
        media_until=media_until,
        titles={slug: runtime.platforms.title(slug) for slug in runtime.platforms.slugs},
        sources=sources,
        carries_link=True,
    )


@router.get("/platforms/{platform}/embed.js")
async def embed_script(platform: str, runtime: RuntimeDep) -> Response:
    """A platform's script that mounts its meeting in the room page."""
    if platform not in runtime.platforms.slugs:
        raise NotFound("no such platform")
    embed = runtime.platforms.spec(platform).embed
    if embed is None:
        raise NotFound(f"{platform} has no embedded meeting page")
    return FileResponse(embed.script, media_type="text/javascript")


async def _history(session: AsyncSession, room: Room) -> list[PastMeeting]:
    found, _ = await meetings.history(session, room, 1, HISTORY_SIZE)
    ids = [meeting.id for meeting in found]
    people = (
        await session.scalars(
            select(ParticipantSession)
            .where(ParticipantSession.meeting_id.in_(ids))
            .order_by(ParticipantSession.joined_at)
        )
    ).all()
    stored = (
        await session.scalars(
            select(Recording).where(Recording.meeting_id.in_(ids)).order_by(Recording.created_at)
        )
    ).all()
    transcripts = await incoming.transcript_ids(session, [r.id for r in stored])
    return [
        PastMeeting(
            meeting=meeting,
            people=[p for p in people if p.meeting_id == meeting.id and not p.is_recorder],
            recordings=[r for r in stored if r.meeting_id == meeting.id],
            transcripts=transcripts,
        )
        for meeting in found
    ]
