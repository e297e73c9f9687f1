"""Jitsi's background work: importing Jibri recordings from the shared recordings volume,
and noticing rooms that Prosody closed without telling us."""

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError

from reflector import jobs
from reflector.db import Meeting, Recording
from reflector.infra.errors import ServiceError
from reflector.infra.storage import TooLarge, recording_key
from reflector.infra.streams import file_chunks
from reflector.jobs import JobContext, PeriodicSpec
from reflector.recordings import incoming
from reflector.recordings.tracks import Track
from reflector.video_platforms.errors import PlatformUnavailable
from reflector.video_platforms.jitsi.client import JitsiClient
from reflector.video_platforms.jitsi.events import PLATFORM
from reflector.video_platforms.jitsi.jibri import SessionDirectory, sole_speaker
from reflector.video_platforms.jitsi.settings import JitsiSettings

logger = logging.getLogger(__name__)


async def store_recording(
    ctx: JobContext,
    recording_id: uuid.UUID,
    meeting: Meeting,
    session_name: str,
    provider_data: dict[str, Any],
    track: Track,
) -> Recording:
    """Record a stored Jibri file as the meeting's recording, once per Jibri session."""
    try:
        return await incoming.save(ctx, recording_id, meeting, [track], session_name, provider_data)
    except IntegrityError:
        # The same session arrived twice at once; the other copy won.
        assert track.key is not None
        await ctx.storage.delete(track.key)
        async with ctx.db.read() as session:
            existing = await incoming.by_platform_id(session, PLATFORM, session_name)
        if existing is None:
            raise
        return existing


async def _import_recording(ctx: JobContext, args: jobs.JobArgs) -> None:
    session_name = str(args["session"])
    async with ctx.db.read() as session:
        if await incoming.by_platform_id(session, PLATFORM, session_name):
            return
        meeting = await session.get_one(Meeting, uuid.UUID(str(args["meeting_id"])))
    settings = ctx.platforms.settings(PLATFORM)
    assert isinstance(settings, JitsiSettings)
    if settings.recordings_dir is None:
        raise jobs.PermanentJobError("JITSI_RECORDINGS_DIR is not set on this worker")
    try:
        # Checked again here: the directory may have changed since the request was accepted.
        directory = await asyncio.to_thread(
            SessionDirectory.open, settings.recordings_dir, session_name
        )
    except ServiceError as exc:
        raise jobs.PermanentJobError(exc.message) from None
    recording_id = uuid.uuid4()
    key = recording_key(recording_id, 0, directory.media.suffix.lstrip("."))
    limit = ctx.config.settings.RECORDING_MAX_BYTES
    try:
        stored = await ctx.storage.put(key, file_chunks(directory.media), limit)
    except TooLarge as exc:
        raise jobs.PermanentJobError(f"the recording is {exc}") from None
    provider_data = dict(args["provider_data"])
    speaker = sole_speaker([str(name) for name in provider_data.get("participants", [])])
    track = Track(key=stored.key, size=stored.size, sha256=stored.sha256, speaker=speaker)
    await store_recording(ctx, recording_id, meeting, session_name, provider_data, track)


IMPORT_RECORDING = jobs.JobSpec("jitsi.import_recording", _import_recording, 1800, 1860)


async def enqueue_import(
    ctx: JobContext, meeting: Meeting, session_name: str, provider_data: dict[str, Any]
) -> uuid.UUID:
    """Queue copying a checked session directory in; its metadata.json is already read."""
    args = {"meeting_id": str(meeting.id), "session": session_name, "provider_data": provider_data}
    async with ctx.db.write() as session:
        return await jobs.enqueue(
            session,
            IMPORT_RECORDING,
            args,
            ctx.clock(),
            dedupe_key=f"jitsi-recording:{session_name}",
        )


# Events stored this recently may describe a room the census was taken too early to list.
CENSUS_SETTLE = timedelta(seconds=60)
CENSUS_EVERY_SECONDS = 60.0


async def reconcile_with_census(ctx: JobContext) -> int:
    """End meetings whose room Prosody no longer has; returns how many ended.

    A Prosody restart drops every room without a `room destroyed` event
    (docs/platforms/jitsi.md#event-sync), which would leave their participants "in" for ever. Only
    rooms we saw open are judged, and only on events older than the census, so a room opening
    meanwhile is not taken for a closed one."""
    client = ctx.platforms.of(JitsiClient)
    if client.settings.api_url is None:
        return 0
    taken = ctx.clock()
    try:
        open_rooms = await client.open_rooms()
    except PlatformUnavailable as exc:
        raise jobs.TransientJobError(exc.message) from exc
    ended = 0
    for room in await ctx.meetings.quiet_rooms(client.slug, taken - CENSUS_SETTLE):
        if room not in open_rooms and await ctx.meetings.room_gone(client.slug, room):
            logger.info("jitsi room %s is gone from Prosody", room)
            ended += 1
    return ended


async def _reconcile(ctx: JobContext) -> None:
    await reconcile_with_census(ctx)


PERIODIC = (PeriodicSpec("jitsi.reconcile_with_census", CENSUS_EVERY_SECONDS, _reconcile),)
