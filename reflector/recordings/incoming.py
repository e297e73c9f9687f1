"""Recordings: streaming files in as tracks, and queueing their processing.

Every upload (the API's, a platform's own upload route) streams through one `TrackIntake`;
recordings a platform announces are fetched by the first stage of their processing.
"""

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from datetime import datetime
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any, Self

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs
from reflector.db import Meeting, Recording, RecordingStatus, Transcript
from reflector.infra.errors import Conflict, InvalidField
from reflector.infra.storage import recording_key
from reflector.jobs import JobContext
from reflector.recordings import tracks as recording_tracks
from reflector.recordings.pipeline.processing import PROCESS_RECORDING, active_key
from reflector.recordings.pipeline.sniff import media_only
from reflector.recordings.tracks import Track


class TrackIntake:
    """The tracks of one new recording, streamed into storage under RECORDING_MAX_BYTES in all.

    `async with TrackIntake(ctx) as intake:` — if the block fails, every file it stored is
    removed again; `discard()` does the same on purpose (e.g. a duplicate).
    """

    def __init__(self, ctx: JobContext) -> None:
        self.recording_id = uuid.uuid4()
        self.tracks: list[Track] = []
        self._ctx = ctx

    async def add(
        self,
        filename: str | None,
        chunks: AsyncIterator[bytes],
        expected_bytes: int | None = None,
    ) -> Track:
        """Store one file as the next track; the file name's stem names its speaker. A file
        whose first bytes are not audio or video is refused (`NotMedia`) before it is stored."""
        name = PurePosixPath(filename or "")
        key = recording_key(self.recording_id, len(self.tracks), name.suffix.lstrip("."))
        limit = self._ctx.config.settings.RECORDING_MAX_BYTES - self.stored_bytes
        self.tracks.append(Track(key=key, size=0))  # so that a failure removes a partial file
        stored = await self._ctx.storage.put(key, media_only(chunks), limit, expected_bytes)
        track = Track(
            key=key, size=stored.size, sha256=stored.sha256, speaker=name.stem[:64] or None
        )
        self.tracks[-1] = track
        return track

    @property
    def stored_bytes(self) -> int:
        return sum(track.size or 0 for track in self.tracks)

    async def discard(self) -> None:
        for track in self.tracks:
            if track.key:
                await self._ctx.storage.delete(track.key)
        self.tracks = []

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            await self.discard()


async def store(
    ctx: JobContext,
    meeting: Meeting,
    files: AsyncIterable[tuple[str | None, AsyncIterator[bytes]]],
    expected_bytes: int | None = None,
) -> Recording:
    """Stream files into storage as the tracks of a new recording, and queue its processing.

    One file is one mixed track; with several, each is one participant, named by its file.
    """
    most = ctx.config.settings.RECORDING_MAX_TRACKS
    async with TrackIntake(ctx) as intake:
        async for filename, chunks in files:
            if len(intake.tracks) == most:
                raise InvalidField(
                    ("body", "file"),
                    f"at most {most} files (tracks) make one recording (RECORDING_MAX_TRACKS)",
                )
            if not (await intake.add(filename, chunks, expected_bytes)).size:
                raise InvalidField(("body", "file"), "every file must be non-empty")
        if not intake.tracks:
            raise InvalidField(("body", "file"), "a non-empty file is required")
        tracks = intake.tracks
        if len(tracks) == 1:
            tracks = [tracks[0].model_copy(update={"speaker": None})]
        return await save(ctx, intake.recording_id, meeting, tracks)


async def save(
    ctx: JobContext,
    recording_id: uuid.UUID,
    meeting: Meeting,
    tracks: Sequence[Track],
    platform_recording_id: str | None = None,
    provider_data: dict[str, Any] | None = None,
) -> Recording:
    """Record stored tracks as a recording of `meeting`, and queue its processing."""
    recording = Recording(
        id=recording_id,
        meeting_id=meeting.id,
        platform=meeting.platform,
        platform_recording_id=platform_recording_id,
        status=RecordingStatus.RECEIVED,
        provider_data=provider_data or {},
        created_at=ctx.clock(),
    )
    recording_tracks.mark_stored(recording, tracks)
    async with ctx.db.write() as session:
        session.add(recording)
        await session.flush()
        await queue_processing(session, ctx.clock(), recording.id)
    return recording


def stored_keys(recordings: Iterable[Recording]) -> list[str]:
    """The storage keys of every track of `recordings` that is in our storage."""
    return [
        key
        for recording in recordings
        for key in recording_tracks.stored_keys(recording_tracks.load(recording.tracks))
    ]


async def by_platform_id(
    session: AsyncSession, platform: str, platform_recording_id: str
) -> Recording | None:
    """The recording a platform knows by this id, if it is already ours."""
    return await session.scalar(
        select(Recording).where(
            Recording.platform == platform,
            Recording.platform_recording_id == platform_recording_id,
        )
    )


async def queue_processing(
    session: AsyncSession, now: datetime, recording_id: uuid.UUID
) -> uuid.UUID:
    """Queue the recording's processing; if a processing is queued or running, that one."""
    return await jobs.enqueue(
        session,
        PROCESS_RECORDING,
        {"recording_id": str(recording_id)},
        now,
        active_key=active_key(recording_id),
    )


async def reprocess(session: AsyncSession, now: datetime, recording: Recording) -> None:
    """Process the recording again, if its files are still here. While its tracks are still
    being fetched, the processing under way transcribes them once they are in; otherwise one
    processing at a time."""
    if recording.media_deleted_at is not None:
        raise Conflict(
            f"this recording's files were deleted on {recording.media_deleted_at:%Y-%m-%d} "
            "(consent or retention): it cannot be processed again"
        )
    if await jobs.active(session, active_key(recording.id)) is not None:
        if any(track.key is None for track in recording_tracks.load(recording.tracks)):
            return
        raise Conflict(
            "this recording is being processed already; ask again once it is done or failed"
        )
    await queue_processing(session, now, recording.id)


async def transcript_ids(
    session: AsyncSession, recording_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    rows = await session.execute(
        select(Transcript.recording_id, Transcript.id).where(
            Transcript.recording_id.in_(recording_ids)
        )
    )
    return {recording_id: transcript_id for recording_id, transcript_id in rows}
