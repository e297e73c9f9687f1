"""Daily's periodic work. Webhooks are a hint, polling is the truth
(docs/platforms/daily.md#recordings): recordings are listed until the newest one we already
have. (The core reconciles participants with Daily's presence.)"""

import logging
from datetime import UTC, datetime

from reflector.inbox.actions import RecordingReady
from reflector.infra.job_errors import TransientJobError
from reflector.jobs import JobContext, PeriodicSpec
from reflector.video_platforms.daily.api import Recording
from reflector.video_platforms.daily.client import DailyClient
from reflector.video_platforms.errors import PlatformUnavailable
from reflector.video_platforms.port import Announced

logger = logging.getLogger(__name__)
POLL_RECORDINGS_EVERY_SECONDS = 300.0


async def poll_recordings(ctx: JobContext) -> int:
    """Announce finished recordings we do not have; returns how many."""
    client = ctx.platforms.of(DailyClient)
    found = 0
    try:
        async for recording in client.api.recordings():
            if await ctx.recordings.known(client.slug, recording.id):
                return found  # newest first: everything older is known too
            if recording.status != "finished" or not recording.duration:
                continue
            ready = _ready(client, recording)
            # The meeting its room had when it started (docs/platforms/daily.md#recordings).
            match await ctx.recordings.announce(client.slug, ready, started_at=ready.at):
                case Announced.NEW:
                    logger.info("daily recording %s found by polling", recording.id)
                    found += 1
                case Announced.NO_MEETING:
                    logger.info("daily recording %s: no meeting of ours", recording.id)
    except PlatformUnavailable as exc:
        raise TransientJobError(exc.message) from exc
    return found


def _ready(client: DailyClient, recording: Recording) -> RecordingReady:
    audio = [track.s3_key for track in recording.tracks or [] if track.type == "audio"]
    tracks = client.translator.tracks(recording.id, recording.s3_key, audio)
    started = datetime.fromtimestamp(recording.start_ts, UTC)
    return RecordingReady(recording.room_name, recording.id, tracks, started)


async def _poll(ctx: JobContext) -> None:
    await poll_recordings(ctx)


PERIODIC = (PeriodicSpec("daily.poll_recordings", POLL_RECORDINGS_EVERY_SECONDS, _poll),)
