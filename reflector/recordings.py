"""Recordings: storing one and queueing its processing, whatever brought it in.

An upload streams in through `store`; a platform that offers a download link calls
`enqueue_fetch` from its tasks, and the fetch job brings the file in under the safe-fetch
policy with the hosts that platform allows.
"""

import hashlib
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import PurePosixPath
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs
from reflector.db import Meeting, Recording, RecordingStatus, Transcript
from reflector.errors import InvalidField
from reflector.jobs import JobContext
from reflector.pipeline.fetch import FetchPolicy, FetchRefused, fetch
from reflector.pipeline.process import PROCESS_RECORDING
from reflector.pipeline.storage import Stored, recording_key


async def store(
    ctx: JobContext,
    meeting: Meeting,
    files: AsyncIterable[tuple[str | None, AsyncIterator[bytes]]],
    expected_bytes: int | None = None,
) -> Recording:
    """Stream files into storage as the tracks of a new recording, and queue its processing.

    One file is one track; with several, each is one participant, named by its file name.
    """
    recording_id = uuid.uuid4()
    limit = ctx.config.settings.RECORDING_MAX_BYTES
    tracks: list[dict[str, Any]] = []
    try:
        async for filename, chunks in files:
            name = PurePosixPath(filename or "")
            key = recording_key(recording_id, len(tracks), name.suffix.lstrip("."))
            used = sum(int(track["size"]) for track in tracks)
            stored = await ctx.storage.put(key, chunks, limit - used, expected_bytes)
            tracks.append(
                {"key": key, "size": stored.size, "sha256": stored.sha256, "name": name.stem[:64]}
            )
            if stored.size == 0:
                raise InvalidField(("body", "file"), "every file must be non-empty")
    except BaseException:
        for track in tracks:
            await ctx.storage.delete(str(track["key"]))
        raise
    if not tracks:
        raise InvalidField(("body", "file"), "a non-empty file is required")
    for index, track in enumerate(tracks):
        name = track.pop("name")
        track["speaker"] = (name or f"Speaker {index + 1}") if len(tracks) > 1 else None
    return await save(ctx, recording_id, meeting, tracks)


async def save(
    ctx: JobContext,
    recording_id: uuid.UUID,
    meeting: Meeting,
    tracks: list[dict[str, Any]],
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
        tracks=tracks,
        storage_key=str(tracks[0]["key"]),
        size=sum(int(track["size"]) for track in tracks),
        sha256=_combined_sha256([str(track["sha256"]) for track in tracks]),
        provider_data=provider_data or {},
        created_at=ctx.clock(),
    )
    async with ctx.db.write() as session:
        session.add(recording)
        await session.flush()
        await queue_processing(session, ctx, recording.id)
    return recording


def one_track(stored: Stored) -> dict[str, Any]:
    """The track of a single-file recording (one mixed track: no speaker of its own)."""
    return {"key": stored.key, "size": stored.size, "sha256": stored.sha256, "speaker": None}


def _combined_sha256(track_digests: list[str]) -> str:
    """A single track's SHA-256; for several, the SHA-256 of their digests, one per line."""
    if len(track_digests) == 1:
        return track_digests[0]
    return hashlib.sha256("\n".join(track_digests).encode()).hexdigest()


async def enqueue_fetch(
    session: AsyncSession,
    ctx: JobContext,
    meeting: Meeting,
    url: str,
    platform_recording_id: str,
) -> uuid.UUID:
    """Queue fetching a platform's recording of `meeting` from `url` (once per recording id)."""
    args = {
        "meeting_id": str(meeting.id),
        "url": url,
        "platform_recording_id": platform_recording_id,
    }
    return await jobs.enqueue(
        session,
        FETCH_RECORDING,
        args,
        ctx.clock(),
        dedupe_key=f"fetch-recording:{meeting.platform}:{platform_recording_id}",
    )


async def _fetch_recording(ctx: JobContext, args: jobs.JobArgs) -> None:
    platform_recording_id = str(args["platform_recording_id"])
    async with ctx.db.read() as session:
        meeting = await session.get_one(Meeting, uuid.UUID(str(args["meeting_id"])))
        known = await by_platform_id(session, meeting.platform, platform_recording_id)
    if known is not None:
        return
    settings = ctx.config.settings
    hosts = ctx.platforms.settings(meeting.platform).recording_hosts()
    if not hosts:
        raise FetchRefused(f"platform {meeting.platform!r} allows no recording hosts")
    policy = FetchPolicy(hosts, settings.RECORDING_MAX_BYTES, settings.FETCH_ALLOW_LOOPBACK_HTTP)
    recording_id = uuid.uuid4()
    url = str(args["url"])
    key = recording_key(recording_id, 0, PurePosixPath(httpx.URL(url).path).suffix.lstrip("."))
    stored = await fetch(url, policy, ctx.storage, key)
    await save(ctx, recording_id, meeting, [one_track(stored)], platform_recording_id)


FETCH_RECORDING = jobs.JobSpec("reflector.fetch_recording", _fetch_recording, 600, 660)


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


async def queue_processing(session: AsyncSession, ctx: JobContext, recording_id: uuid.UUID) -> None:
    await jobs.enqueue(session, PROCESS_RECORDING, {"recording_id": str(recording_id)}, ctx.clock())


async def transcript_ids(
    session: AsyncSession, recording_ids: list[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    rows = await session.execute(
        select(Transcript.recording_id, Transcript.id).where(
            Transcript.recording_id.in_(recording_ids)
        )
    )
    return {recording_id: transcript_id for recording_id, transcript_id in rows}
