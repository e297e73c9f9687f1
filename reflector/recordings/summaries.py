"""What a room's owner changes in a transcript's record: the speakers' names, and asking for
its summary again."""

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs
from reflector.accounts.auth import Caller
from reflector.db import Transcript
from reflector.infra.errors import Conflict, Forbidden, InvalidField
from reflector.recordings import search, transcripts
from reflector.recordings.pipeline.processing import active_key as processing_key
from reflector.recordings.pipeline.summary.stage import SUMMARIZE_TRANSCRIPT, active_key, summary
from reflector.rooms.directory import is_owner


async def owned(session: AsyncSession, caller: Caller, transcript_id: uuid.UUID) -> Transcript:
    transcript, room = await transcripts.get_visible(session, caller, transcript_id)
    if not is_owner(room, caller):
        raise Forbidden("only the room's owner may change its transcripts")
    return transcript


async def summarize_again(
    session: AsyncSession, caller: Caller, transcript_id: uuid.UUID, now: datetime
) -> Transcript:
    """Queue a new summary; one at a time, and none while the recording is processed (its
    processing writes one)."""
    transcript = await owned(session, caller, transcript_id)
    if await jobs.active(session, processing_key(transcript.recording_id)) is not None:
        raise Conflict("the recording is being processed; its summary comes with it")
    if await jobs.active(session, active_key(transcript.id)) is not None:
        raise Conflict("its summary is being written already; ask again once it is done")
    transcript.summary = summary("pending", model=transcript.summary.get("model"))
    await jobs.enqueue(
        session,
        SUMMARIZE_TRANSCRIPT,
        {"transcript_id": str(transcript.id)},
        now,
        active_key=active_key(transcript.id),
    )
    return transcript


async def rename_speakers(
    session: AsyncSession, caller: Caller, transcript_id: uuid.UUID, names: dict[str, str]
) -> Transcript:
    """Each speaker in `names` renamed, in every segment, language and action item; a new
    name another speaker already has merges the two."""
    transcript = await owned(session, caller, transcript_id)
    speakers = {segment["speaker"] for segment in transcript.segments}
    if unknown := sorted(set(names) - speakers):
        raise InvalidField(
            ("body", "names"), f"no speaker of this transcript is named {', '.join(unknown)}"
        )

    def renamed(name: str) -> str:
        return names.get(name, name)

    transcript.segments = [
        {**segment, "speaker": renamed(segment["speaker"])} for segment in transcript.segments
    ]
    languages: dict[str, str] = {}
    for speaker, language in transcript.languages.items():
        languages.setdefault(renamed(speaker), language)
    transcript.languages = languages
    transcript.summary = _with_owners_renamed(transcript.summary, renamed)
    transcript.text = search.document(transcript.segments, transcript.summary)
    return transcript


def _with_owners_renamed(record: dict[str, Any], renamed: Callable[[str], str]) -> dict[str, Any]:
    if not record:  # never summarized
        return record
    items = [
        {**item, "owner": renamed(item["owner"]) if item.get("owner") else None}
        for item in record.get("action_items", [])
    ]
    return {**record, "action_items": items}
