"""Transcripts: search across all of one's transcripts, read one, download, delete."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from reflector.api.deps import RuntimeDep
from reflector.api.recording_schemas import SPEAKER_NAME_RULES, SpeakersIn
from reflector.db import Recording
from reflector.infra.errors import InvalidField
from reflector.recordings import expiry, search, summaries, transcripts
from reflector.recordings.consent import Outcome
from reflector.rooms import removal
from reflector.rooms.directory import is_owner
from reflector.web.access import SignedIn, checked_form
from reflector.web.render import PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)
PAGE_SIZE = 20


@router.get("/transcripts")
async def transcripts_page(
    request: Request,
    runtime: RuntimeDep,
    visitor: SignedIn,
    q: Annotated[str, Query(max_length=200)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    words = q.strip() or None
    async with runtime.db.read() as session:
        found, total = await transcripts.find(
            session, visitor.caller, words=words, page=page_number, size=PAGE_SIZE
        )
    results = [
        (transcript, room, search.excerpt(transcript.text, words)) for transcript, room in found
    ]
    return page(
        request,
        "transcripts.html",
        visitor=visitor,
        q=q,
        results=results,
        total=total,
        page_number=page_number,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@router.get("/transcripts/{transcript_id}")
async def transcript_page(
    transcript_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    async with runtime.db.read() as session:
        transcript, room = await transcripts.get_visible(session, visitor.caller, transcript_id)
        recording = await session.get_one(Recording, transcript.recording_id)
    settings = runtime.config.settings
    return page(
        request,
        "transcript.html",
        visitor=visitor,
        transcript=transcript,
        room=room,
        consent=Outcome.model_validate(recording.consent),
        media_deleted_at=recording.media_deleted_at,
        deleted_on=expiry.transcript_due(settings, room, recording),
        is_owner=is_owner(room, visitor.caller),
        speakers=list(dict.fromkeys(segment["speaker"] for segment in transcript.segments)),
    )


@router.post("/transcripts/{transcript_id}/summary")
async def summarize_again(
    transcript_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    await checked_form(request, visitor)
    async with runtime.db.write() as session:
        await summaries.summarize_again(session, visitor.caller, transcript_id, runtime.clock())
    return RedirectResponse(f"/transcripts/{transcript_id}", status_code=303)


@router.post("/transcripts/{transcript_id}/speakers")
async def name_speakers(
    transcript_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    """The form's fields come in pairs: `was-N`, a speaker's name, and `name-N`, theirs now."""
    form = await checked_form(request, visitor)
    pairs = {
        was: now.strip()
        for field, was in form.multi_items()
        if field.startswith("was-") and isinstance(was, str)
        if isinstance(now := form.get(f"name-{field.removeprefix('was-')}"), str)
        if now.strip() and now.strip() != was
    }
    try:
        names = SpeakersIn.model_validate({"names": pairs}).names if pairs else {}
    except ValidationError:
        raise InvalidField(("body", "names"), SPEAKER_NAME_RULES) from None
    if names:
        async with runtime.db.write() as session:
            await summaries.rename_speakers(session, visitor.caller, transcript_id, names)
    return RedirectResponse(f"/transcripts/{transcript_id}", status_code=303)


@router.get("/transcripts/{transcript_id}/delete")
async def delete_transcript_page(
    transcript_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    async with runtime.db.read() as session:
        transcript, room = await transcripts.get_visible(session, visitor.caller, transcript_id)
    return page(
        request,
        "confirm.html",
        visitor=visitor,
        title=f"Delete this transcript of {room.title or room.name}?",
        warning="The recording stays; it can be transcribed again.",
        action=f"/transcripts/{transcript.id}/delete",
        button="Delete the transcript",
        back=f"/transcripts/{transcript.id}",
    )


@router.post("/transcripts/{transcript_id}/delete")
async def delete_transcript(
    transcript_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    await checked_form(request, visitor)
    async with runtime.db.read() as session:
        _, room = await transcripts.get_visible(session, visitor.caller, transcript_id)
    await removal.delete_transcript(runtime, visitor.caller, transcript_id)
    return RedirectResponse(f"/r/{room.name}", status_code=303)
