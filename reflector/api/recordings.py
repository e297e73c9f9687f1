import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import ColumnElement, TextClause, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import meetings, recordings, removal, search
from reflector.api.deps import CallerDep, RuntimeDep
from reflector.api.render import recording_out
from reflector.api.schemas import Page, RecordingOut, TranscriptOut, TranscriptSummary
from reflector.api.uploads import MultipartParts, check_length, files_of, storage_errors
from reflector.auth import Caller
from reflector.db import Recording, Room, Transcript
from reflector.errors import Forbidden, NotFound
from reflector.pipeline import formats
from reflector.rooms import is_owner, visible_to

router = APIRouter(tags=["recordings"])
# The upload streams into storage under RECORDING_MAX_BYTES; the JSON body limit does not apply.
UNLIMITED = 2**62


@router.post(
    "/v1/meetings/{meeting_id}/recordings",
    status_code=status.HTTP_201_CREATED,
    max_body_size=UNLIMITED,
    responses={413: {"description": "Larger than RECORDING_MAX_BYTES"}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                }
            },
        }
    },
)
async def upload_recording(
    meeting_id: uuid.UUID, request: Request, runtime: RuntimeDep, caller: CallerDep
) -> RecordingOut:
    """Upload a recording (multipart, field `file`); it is stored, then transcribed by a worker.

    Several `file` parts make a recording with one track per participant, each named by its
    file name (`alice.webm` speaks as "alice").
    """
    async with runtime.db.read() as session:
        room, meeting = await meetings.get_visible_meeting(session, caller, meeting_id)
    if not is_owner(room, caller):
        raise Forbidden("only the room's owner may add recordings")
    limit = runtime.config.settings.RECORDING_MAX_BYTES
    length = check_length(request.headers.get("content-length", ""), limit)
    parts = MultipartParts(request.headers.get("content-type", ""), request.stream())
    with storage_errors():
        recording = await recordings.store(runtime, meeting, files_of(parts, "file"), length)
    return recording_out(recording, None)


@router.get("/v1/meetings/{meeting_id}/recordings")
async def meeting_recordings(
    meeting_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> list[RecordingOut]:
    async with runtime.db.read() as session:
        _, meeting = await meetings.get_visible_meeting(session, caller, meeting_id)
        found = list(
            (
                await session.scalars(
                    select(Recording)
                    .where(Recording.meeting_id == meeting.id)
                    .order_by(Recording.created_at)
                )
            ).all()
        )
        transcripts = await recordings.transcript_ids(session, [r.id for r in found])
    return [recording_out(r, transcripts.get(r.id)) for r in found]


@router.get("/v1/recordings/{recording_id}")
async def get_recording(
    recording_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> RecordingOut:
    async with runtime.db.read() as session:
        recording = await visible_recording(session, caller, recording_id)
        transcripts = await recordings.transcript_ids(session, [recording.id])
    return recording_out(recording, transcripts.get(recording.id))


@router.post("/v1/recordings/{recording_id}/process", status_code=status.HTTP_202_ACCEPTED)
async def reprocess_recording(
    recording_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> RecordingOut:
    """Transcribe the recording again; its transcript is rewritten under the same id."""
    async with runtime.db.write() as session:
        recording = await visible_recording(session, caller, recording_id, owner=True)
        await recordings.queue_processing(session, runtime, recording.id)
        transcripts = await recordings.transcript_ids(session, [recording.id])
    return recording_out(recording, transcripts.get(recording.id))


@router.get("/v1/transcripts")
async def list_transcripts(
    runtime: RuntimeDep,
    caller: CallerDep,
    room: Annotated[str | None, Query(max_length=64, description="A room's id or name")] = None,
    q: Annotated[
        str | None, Query(max_length=200, description="Words the text must all hold")
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[TranscriptSummary]:
    """Every transcript the caller can see, newest first; `q` searches their text."""
    conditions: list[ColumnElement[bool] | TextClause] = [visible_to(caller)]
    if room is not None:
        room_id = _uuid(room)
        conditions.append(Room.id == room_id if room_id else Room.name == room)
    async with runtime.db.read() as session:
        if q:
            conditions.append(search.matching(session, q))
        query = (
            select(Transcript, Room).join(Room, Room.id == Transcript.room_id).where(*conditions)
        )
        total = await session.scalar(select(func.count()).select_from(query.subquery()))
        found = await session.execute(
            query.order_by(Transcript.created_at.desc(), Transcript.id)
            .offset((page - 1) * size)
            .limit(size)
        )
        items = [
            TranscriptSummary(
                id=transcript.id,
                recording_id=transcript.recording_id,
                meeting_id=transcript.meeting_id,
                room_id=found_room.id,
                room_name=found_room.name,
                room_title=found_room.title,
                language=transcript.language,
                excerpt=search.excerpt(transcript.text, q),
                created_at=transcript.created_at,
            )
            for transcript, found_room in found
        ]
    return Page(items=items, total=total or 0, page=page, size=size)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@router.delete("/v1/recordings/{recording_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_recording(recording_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep) -> None:
    """Delete the recording, its files in storage and its transcript (the room's owner)."""
    await removal.delete_recording(runtime, caller, recording_id)


@router.delete("/v1/transcripts/{transcript_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_transcript(
    transcript_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> None:
    """Delete the transcript; its recording stays and may be processed again (the owner)."""
    await removal.delete_transcript(runtime, caller, transcript_id)


@router.get(
    "/v1/transcripts/{transcript_id}",
    response_model=TranscriptOut,
    responses={200: {"content": {"text/vtt": {}, "application/x-subrip": {}, "text/plain": {}}}},
)
async def get_transcript(
    transcript_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    format: Annotated[Literal["json", "vtt", "srt", "txt"], Query()] = "json",
) -> TranscriptOut | Response:
    async with runtime.db.read() as session:
        transcript = await session.get(Transcript, transcript_id)
        if transcript is None:
            raise NotFound("transcript not found")
        await meetings.get_visible_meeting(session, caller, transcript.meeting_id)
    match format:
        case "vtt":
            return PlainTextResponse(formats.vtt(transcript.segments), media_type="text/vtt")
        case "srt":
            return PlainTextResponse(
                formats.srt(transcript.segments), media_type="application/x-subrip"
            )
        case "txt":
            return PlainTextResponse(formats.txt(transcript.segments))
        case _:
            return TranscriptOut.model_validate(transcript)


async def visible_recording(
    session: AsyncSession, caller: Caller, recording_id: uuid.UUID, owner: bool = False
) -> Recording:
    recording = await session.get(Recording, recording_id)
    if recording is None:
        raise NotFound("recording not found")
    room, _ = await meetings.get_visible_meeting(session, caller, recording.meeting_id)
    if owner and not is_owner(room, caller):
        raise Forbidden("only the room's owner may reprocess recordings")
    return recording
