"""The fetch stage: a platform's announced tracks brought into our storage.

URLs are fetched under the safe-fetch policy with the hosts the platform allows, bucket
objects read from the buckets it allows; every source is checked before any is fetched.
Tracks already ours (uploads, or fetched by an earlier attempt) are not fetched again.
"""

from dataclasses import replace
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from reflector.db import Recording
from reflector.infra.fetch import FetchPolicy, FetchRefused, checked_target, fetch
from reflector.infra.storage import Stored, recording_key
from reflector.recordings import tracks as recording_tracks
from reflector.recordings.pipeline import buckets
from reflector.recordings.pipeline.work import RecordingGone, Told, Work
from reflector.recordings.tracks import BucketSource, PlatformLink, Track, UrlSource
from reflector.video_platforms.platform_settings import VideoPlatformConfig


async def fetch_tracks(work: Work, told: Told) -> None:
    missing = [index for index, track in enumerate(work.tracks) if track.key is None]
    if not missing:
        return
    ctx, settings = work.ctx, work.ctx.config.settings
    platform = ctx.platforms.settings(work.platform)
    policy = FetchPolicy(
        platform.allowed_recording_hosts(),
        settings.RECORDING_MAX_BYTES,
        settings.FETCH_ALLOW_LOOPBACK_HTTP,
    )
    for index in missing:
        await _check(work.tracks[index], platform, policy)
    for done, index in enumerate(missing):
        track = work.tracks[index]
        stored_bytes = sum(t.size or 0 for t in work.tracks if t.key is not None)
        capped = replace(policy, max_bytes=policy.max_bytes - stored_bytes)
        key = recording_key(work.recording_id, index, _extension(track))

        def step(fraction: float, done: int = done) -> None:
            told((done + fraction) / len(missing))

        stored = await _bring_in(work, track, key, capped, step)
        update = {"key": stored.key, "size": stored.size, "sha256": stored.sha256}
        work.tracks[index] = track.model_copy(update=update)
    async with ctx.db.write() as session:
        recording = await session.get(Recording, work.recording_id)
        if recording is None:
            raise RecordingGone
        recording_tracks.mark_stored(recording, work.tracks)


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


async def _bring_in(work: Work, track: Track, key: str, policy: FetchPolicy, told: Told) -> Stored:
    """One track into our storage under `key`, at most `policy.max_bytes` of it."""
    ctx = work.ctx
    match track.source:
        case BucketSource() as source:
            platform, settings = ctx.platforms.settings(work.platform), ctx.config.settings
            return await buckets.read_into(
                source, platform, settings, ctx.storage, key, policy.max_bytes, told
            )
        case UrlSource(url=url):
            return await fetch(url, policy, ctx.storage, key, told=told)
        case PlatformLink(recording_id=recording_id):
            url = await ctx.platforms.client(work.platform).recording_link(recording_id)
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
