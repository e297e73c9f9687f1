"""Recordings: storing one and queueing its processing, whatever brought it in."""

import uuid
from collections.abc import AsyncIterator
from pathlib import PurePosixPath

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs
from reflector.db import Meeting, Recording, RecordingStatus, Transcript
from reflector.errors import InvalidField
from reflector.pipeline.process import PROCESS_RECORDING
from reflector.pipeline.storage import recording_key
from reflector.runtime import Runtime


async def store(
    runtime: Runtime,
    meeting: Meeting,
    chunks: AsyncIterator[bytes],
    filename: str | None,
    expected_bytes: int | None = None,
) -> Recording:
    """Stream one file into storage as a new recording of `meeting`, and queue its processing."""
    recording_id = uuid.uuid4()
    extension = PurePosixPath(filename or "").suffix.lstrip(".")
    key = recording_key(recording_id, 0, extension)
    stored = await runtime.storage.put(
        key, chunks, runtime.config.settings.RECORDING_MAX_BYTES, expected_bytes
    )
    if stored.size == 0:
        await runtime.storage.delete(key)
        raise InvalidField(("body", "file"), "a non-empty file is required")
    recording = Recording(
        id=recording_id,
        meeting_id=meeting.id,
        platform=meeting.platform,
        status=RecordingStatus.RECEIVED,
        tracks=[{"key": key, "size": stored.size, "sha256": stored.sha256, "speaker": None}],
        storage_key=key,
        size=stored.size,
        sha256=stored.sha256,
        created_at=runtime.clock(),
    )
    async with runtime.db.write() as session:
        session.add(recording)
        await session.flush()
        await queue_processing(session, runtime, recording.id)
    runtime.jobs_committed.set()
    return recording


async def queue_processing(
    session: AsyncSession, runtime: Runtime, recording_id: uuid.UUID
) -> None:
    await jobs.enqueue(
        session, PROCESS_RECORDING, {"recording_id": str(recording_id)}, runtime.clock()
    )


async def transcript_ids(
    session: AsyncSession, recording_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    rows = await session.execute(
        select(Transcript.recording_id, Transcript.id).where(
            Transcript.recording_id.in_(recording_ids)
        )
    )
    return {recording_id: transcript_id for recording_id, transcript_id in rows}
