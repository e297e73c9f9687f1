import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.accounts.auth import Caller
from reflector.api.deps import CallerDep, RuntimeDep
from reflector.api.presenters import recording_out, transcript_out
from reflector.api.recording_schemas import (
    RecordingOut,
    SpeakersIn,
    SummaryOut,
    TranscriptOut,
    TranscriptSummary,
)
from reflector.api.schemas import Page
from reflector.db import Recording, Room
from reflector.infra.errors import Forbidden, NotFound
from reflector.infra.uploads import MultipartParts, check_length, files_of, storage_errors
from reflector.recordings import expiry, incoming, search, summaries, transcripts
from reflector.recordings.consent import Outcome
from reflector.recordings.pipeline import formats
from reflector.rooms import meetings, removal
from reflector.rooms.directory import is_owner

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
        recording = await incoming.store(runtime, meeting, files_of(parts, "file"), length)
    return recording_out(recording, None)  # retention counts from processing: no date yet


@router.get("/v1/meetings/{meeting_id}/recordings")
async def meeting_recordings(
    meeting_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> list[RecordingOut]:
    async with runtime.db.read() as session:
        room, meeting = await meetings.get_visible_meeting(session, caller, meeting_id)
        found = list(
            (
                await session.scalars(
                    select(Recording)
                    .where(Recording.meeting_id == meeting.id)
                    .order_by(Recording.created_at)
                )
            ).all()
        )
        transcripts = await incoming.transcript_ids(session, [r.id for r in found])
    settings = runtime.config.settings
    return [
        recording_out(r, transcripts.get(r.id), expiry.media_due(settings, room, r)) for r in found
    ]


@router.get("/v1/recordings/{recording_id}")
async def get_recording(
    recording_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> RecordingOut:
    async with runtime.db.read() as session:
        recording, room = await visible_recording(session, caller, recording_id)
        transcripts = await incoming.transcript_ids(session, [recording.id])
    media_due = expiry.media_due(runtime.config.settings, room, recording)
    return recording_out(recording, transcripts.get(recording.id), media_due)


@router.post(
    "/v1/recordings/{recording_id}/process",
    status_code=status.HTTP_202_ACCEPTED,
    responses={409: {"description": "It is being processed already, or its files are gone"}},
)
async def reprocess_recording(
    recording_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> RecordingOut:
    """Transcribe the recording again; its transcript is rewritten under the same id. One
    processing at a time: 409 while one runs (a recording still being fetched is processed
    once it is in)."""
    async with runtime.db.write() as session:
        recording, room = await visible_recording(session, caller, recording_id, owner=True)
        await incoming.reprocess(session, runtime.clock(), recording)
        transcripts = await incoming.transcript_ids(session, [recording.id])
    media_due = expiry.media_due(runtime.config.settings, room, recording)
    return recording_out(recording, transcripts.get(recording.id), media_due)


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
    async with runtime.db.read() as session:
        found, total = await transcripts.find(
            session, caller, room=room, words=q, page=page, size=size
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
    return Page(items=items, total=total, page=page, size=size)


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


@router.post(
    "/v1/transcripts/{transcript_id}/summary",
    status_code=status.HTTP_202_ACCEPTED,
    responses={409: {"description": "A summary is being written already"}},
)
async def summarize_transcript(
    transcript_id: uuid.UUID, runtime: RuntimeDep, caller: CallerDep
) -> SummaryOut:
    """Write the transcript's summary again (the room's owner; one at a time)."""
    async with runtime.db.write() as session:
        transcript = await summaries.summarize_again(
            session, caller, transcript_id, runtime.clock()
        )
    return SummaryOut.model_validate(transcript.summary)


@router.patch("/v1/transcripts/{transcript_id}/speakers")
async def rename_speakers(
    transcript_id: uuid.UUID, body: SpeakersIn, runtime: RuntimeDep, caller: CallerDep
) -> TranscriptOut:
    """Rename speakers (the room's owner): every segment, export, action item and search
    follows; giving one speaker another's name merges the two."""
    async with runtime.db.write() as session:
        transcript = await summaries.rename_speakers(session, caller, transcript_id, body.names)
        recording = await session.get_one(Recording, transcript.recording_id)
        room = await session.get_one(Room, transcript.room_id)
        return transcript_out(transcript, recording, room, runtime.config.settings)


@router.get(
    "/v1/transcripts/{transcript_id}",
    response_model=TranscriptOut,
    responses={
        200: {
            "content": {
                "text/vtt": {},
                "application/x-subrip": {},
                "text/plain": {},
                "text/markdown": {},
            }
        }
    },
)
async def get_transcript(
    transcript_id: uuid.UUID,
    runtime: RuntimeDep,
    caller: CallerDep,
    format: Annotated[Literal["json", "vtt", "srt", "txt", "md"], Query()] = "json",
) -> TranscriptOut | Response:
    async with runtime.db.read() as session:
        transcript, room = await transcripts.get_visible(session, caller, transcript_id)
        recording = await session.get_one(Recording, transcript.recording_id)
    if format == "json":
        return transcript_out(transcript, recording, room, runtime.config.settings)
    if format == "md":
        heading = f"{room.title or room.name}, {transcript.created_at:%Y-%m-%d}"
        notes = Outcome.model_validate(recording.consent).notes()
        text = formats.markdown(heading, transcript.summary, transcript.segments, notes)
        media_type = "text/markdown"
    else:
        text, media_type = _EXPORTS[format](transcript.segments)
    # A file to keep, named for the transcript, when a browser follows the link.
    disposition = f'attachment; filename="transcript-{transcript.id}.{format}"'
    return PlainTextResponse(
        text, media_type=media_type, headers={"Content-Disposition": disposition}
    )


_EXPORTS: dict[str, Callable[[list[dict[str, Any]]], tuple[str, str]]] = {
    "vtt": lambda segments: (formats.vtt(segments), "text/vtt"),
    "srt": lambda segments: (formats.srt(segments), "application/x-subrip"),
    "txt": lambda segments: (formats.txt(segments), "text/plain"),
}


async def visible_recording(
    session: AsyncSession, caller: Caller, recording_id: uuid.UUID, owner: bool = False
) -> tuple[Recording, Room]:
    recording = await session.get(Recording, recording_id)
    if recording is None:
        raise NotFound("recording not found")
    room, _ = await meetings.get_visible_meeting(session, caller, recording.meeting_id)
    if owner and not is_owner(room, caller):
        raise Forbidden("only the room's owner may reprocess recordings")
    return recording, room
