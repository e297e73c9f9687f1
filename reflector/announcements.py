"""Recordings a platform announces: "a recording of this room is ready, here are its tracks".

Applying an announcement, in the transaction that stores its event (or a poll's findings),
creates the recording with status `received`, once per platform recording id, and queues
one fetch job. The job brings every track in, URLs under the safe-fetch policy with the
hosts the platform allows and bucket objects from the buckets it allows, checking every
source before it fetches any, and then queues processing. A job that gives up fails the
recording with the reason.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs, recording_tracks, recordings
from reflector.db import Meeting, Recording, RecordingStatus
from reflector.db.upsert import insert
from reflector.jobs import JobContext
from reflector.pipeline import buckets
from reflector.pipeline.fetch import FetchPolicy, FetchRefused, checked_target, fetch
from reflector.pipeline.progress import ProgressWriter, Stage
from reflector.pipeline.reasons import for_people
from reflector.pipeline.storage import Stored, recording_key, remove_all
from reflector.recording_tracks import BucketSource, PlatformLink, Track, UrlSource
from reflector.video_platforms.platform_settings import VideoPlatformConfig


@dataclass(frozen=True)
class RecordingReady:
    """The platform says a recording of this room is ready, and where its tracks are."""

    room_name: str
    recording_id: str
    tracks: tuple[Track, ...]
    at: datetime


async def announce(
    session: AsyncSession, meeting: Meeting, ready: RecordingReady, now: datetime
) -> uuid.UUID | None:
    """Create the announced recording and queue its fetch; None if it was announced before."""
    tracks = recording_tracks.dump(ready.tracks)
    recording_id = await _insert_once(
        session, meeting, ready.recording_id, now, status=RecordingStatus.RECEIVED, tracks=tracks
    )
    if recording_id is not None:
        args = {"recording_id": str(recording_id)}
        await jobs.enqueue(
            session, FETCH_RECORDING, args, now, dedupe_key=f"fetch-recording:{recording_id}"
        )
    return recording_id


@dataclass(frozen=True)
class RecordingFailed:
    """The platform says a recording of this room failed (it may never be announced)."""

    room_name: str
    failure_id: str
    reason: str
    at: datetime


async def fail(
    session: AsyncSession, meeting: Meeting, failed: RecordingFailed, now: datetime
) -> None:
    """Keep the failure as a failed recording of the meeting, with the platform's reason."""
    reason = f"the platform reported: {failed.reason}"[:1000]
    await _insert_once(
        session, meeting, failed.failure_id, now, status=RecordingStatus.FAILED, error=reason
    )


async def _insert_once(
    session: AsyncSession,
    meeting: Meeting,
    platform_recording_id: str,
    now: datetime,
    **fields: object,
) -> uuid.UUID | None:
    """A recording of the meeting, unless the platform's id is taken; its id if new."""
    statement = (
        insert(session, Recording)
        .values(
            id=uuid.uuid4(),
            meeting_id=meeting.id,
            platform=meeting.platform,
            platform_recording_id=platform_recording_id,
            provider_data={},
            created_at=now,
            **{"tracks": [], **fields},
        )
        .on_conflict_do_nothing(
            index_elements=[Recording.platform, Recording.platform_recording_id]
        )
        .returning(Recording.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()


async def _fetch_recording(ctx: JobContext, args: jobs.JobArgs) -> None:
    recording_id = uuid.UUID(str(args["recording_id"]))
    async with ctx.db.read() as session:
        recording = await session.get(Recording, recording_id)
    if recording is None or recording.status != RecordingStatus.RECEIVED:
        return  # deleted, failed, or fetched already
    if recording.storage_key is not None:
        return
    settings = ctx.config.settings
    platform = ctx.platforms.settings(recording.platform)
    policy = FetchPolicy(
        platform.allowed_recording_hosts(),
        settings.RECORDING_MAX_BYTES,
        settings.FETCH_ALLOW_LOOPBACK_HTTP,
    )
    announced = recording_tracks.load(recording.tracks)
    for track in announced:
        await _check(track, platform, policy)
    tracks: list[Track] = []
    async with ProgressWriter(ctx.db, recording_id) as progress:
        for number, track in enumerate(announced):

            def told(fraction: float, number: int = number) -> None:
                progress.at(Stage.FETCHING, (number + fraction) / len(announced))

            told(0.0)
            key = recording_key(recording_id, number, _extension(track))
            stored_bytes = sum(done.size or 0 for done in tracks)
            capped = replace(policy, max_bytes=policy.max_bytes - stored_bytes)
            stored = await _bring_in(ctx, recording.platform, track, key, capped, told)
            update = {"key": stored.key, "size": stored.size, "sha256": stored.sha256}
            tracks.append(track.model_copy(update=update))
        progress.at(Stage.FETCHING, 1.0)
    async with ctx.db.write() as session:
        fetched = await session.get(Recording, recording_id)
        if fetched is not None:
            recordings.mark_stored(fetched, tracks)
            await recordings.queue_processing(session, ctx, recording_id)
    if fetched is None:  # deleted while it was fetched: its files must not stay behind
        await remove_all(ctx.storage, [track.key for track in tracks if track.key])


async def _check(track: Track, platform: VideoPlatformConfig, policy: FetchPolicy) -> None:
    """Refuse a track before anything is fetched: the same checks its fetch makes again."""
    match track.source:
        case BucketSource() as source:
            buckets.check_source(source, platform)
        case UrlSource(url=url):
            await checked_target(url, policy)
        case PlatformLink():
            if not policy.allowed_hosts:
                raise FetchRefused("this platform allows no recording hosts")
        case None:
            raise FetchRefused("an announced track names no source")


async def _bring_in(
    ctx: JobContext,
    slug: str,
    track: Track,
    key: str,
    policy: FetchPolicy,
    told: Callable[[float], None],
) -> Stored:
    """One track into our storage under `key`, at most `policy.max_bytes` of it."""
    match track.source:
        case BucketSource() as source:
            platform, settings = ctx.platforms.settings(slug), ctx.config.settings
            return await buckets.read_into(
                source, platform, settings, ctx.storage, key, policy.max_bytes, told
            )
        case UrlSource(url=url):
            return await fetch(url, policy, ctx.storage, key, told=told)
        case PlatformLink(recording_id=recording_id):
            url = await ctx.platforms.client(slug).recording_link(recording_id)
            return await fetch(url, policy, ctx.storage, key, told=told)
        case None:
            raise FetchRefused("an announced track names no source")


def _extension(track: Track) -> str:
    match track.source:
        case BucketSource(key=key):
            return PurePosixPath(key).suffix.lstrip(".")
        case UrlSource(url=url):
            try:
                path = urlsplit(url).path
            except ValueError:  # the fetch refuses this URL with the reason
                return ""
            return PurePosixPath(path).suffix.lstrip(".")
        case PlatformLink() | None:
            return ""


async def _give_up(session: AsyncSession, args: jobs.JobArgs, reason: str) -> None:
    recording = await session.get(Recording, uuid.UUID(str(args["recording_id"])))
    if recording is None:
        return
    recording.status = RecordingStatus.FAILED
    recording.error = f"fetching the recording failed: {for_people(reason)}"[:1000]


FETCH_RECORDING = jobs.JobSpec(
    "reflector.fetch_recording", _fetch_recording, 1800, 1860, on_give_up=_give_up
)
