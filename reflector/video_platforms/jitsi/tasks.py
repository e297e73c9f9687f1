"""Jitsi's background work: importing a Jibri recording from the shared recordings volume."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from reflector import jobs, recordings
from reflector.db import Meeting, Recording
from reflector.errors import ServiceError
from reflector.pipeline.storage import TooLarge, recording_key
from reflector.runtime import Runtime
from reflector.video_platforms.jitsi.events import PLATFORM
from reflector.video_platforms.jitsi.jibri import JibriMetadata, SessionDirectory
from reflector.video_platforms.jitsi.settings import JitsiSettings

_CHUNK = 1024 * 1024


async def store_recording(
    runtime: Runtime,
    recording_id: uuid.UUID,
    meeting: Meeting,
    session_name: str,
    metadata: JibriMetadata,
    track: dict[str, Any],
) -> Recording:
    """Record a stored Jibri file as the meeting's recording, once per Jibri session."""
    try:
        return await recordings.save(
            runtime,
            recording_id,
            meeting,
            [track],
            session_name,
            metadata.provider_data(session_name),
        )
    except IntegrityError:
        # The same session arrived twice at once; the other copy won.
        await runtime.storage.delete(str(track["key"]))
        async with runtime.db.read() as session:
            existing = await recordings.by_platform_id(session, PLATFORM, session_name)
        if existing is None:
            raise
        return existing


async def _import_recording(runtime: Runtime, args: jobs.JobArgs) -> None:
    session_name = str(args["session"])
    async with runtime.db.read() as session:
        if await recordings.by_platform_id(session, PLATFORM, session_name):
            return
        meeting = await session.get_one(Meeting, uuid.UUID(str(args["meeting_id"])))
    settings = runtime.platforms.settings(PLATFORM)
    assert isinstance(settings, JitsiSettings)
    if settings.recordings_dir is None:
        raise jobs.PermanentJobError("JITSI_RECORDINGS_DIR is not set on this worker")
    try:
        directory = await asyncio.to_thread(
            SessionDirectory.open, settings.recordings_dir, session_name
        )
        metadata = await asyncio.to_thread(directory.read_metadata)
    except ServiceError as exc:
        raise jobs.PermanentJobError(exc.message) from None
    recording_id = uuid.uuid4()
    key = recording_key(recording_id, 0, directory.media.suffix.lstrip("."))
    limit = runtime.config.settings.RECORDING_MAX_BYTES
    try:
        stored = await runtime.storage.put(key, _read(directory.media), limit)
    except TooLarge as exc:
        raise jobs.PermanentJobError(f"the recording is {exc}") from None
    track = {
        "key": key,
        "size": stored.size,
        "sha256": stored.sha256,
        "speaker": None,
    }
    await store_recording(runtime, recording_id, meeting, session_name, metadata, track)


async def _read(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := await asyncio.to_thread(file.read, _CHUNK):
            yield chunk


IMPORT_RECORDING = jobs.JobSpec("jitsi.import_recording", _import_recording, 1800, 1860)


async def enqueue_import(runtime: Runtime, meeting: Meeting, session_name: str) -> uuid.UUID:
    async with runtime.db.write() as session:
        return await jobs.enqueue(
            session,
            IMPORT_RECORDING,
            {"meeting_id": str(meeting.id), "session": session_name},
            runtime.clock(),
            dedupe_key=f"jitsi-recording:{session_name}",
        )
