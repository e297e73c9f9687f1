"""The mock platform's periodic work: polling its API for finished recordings whose
announcement never arrived."""

import logging

from pydantic import ValidationError

from reflector.inbox.actions import RecordingReady
from reflector.infra.job_errors import TransientJobError
from reflector.infra.validation import first_error
from reflector.jobs import JobContext, PeriodicSpec
from reflector.video_platforms.errors import PlatformUnavailable
from reflector.video_platforms.mock.client import MockClient
from reflector.video_platforms.mock.events import announced_track
from reflector.video_platforms.port import Announced

logger = logging.getLogger(__name__)
POLL_RECORDINGS_EVERY_SECONDS = 300.0


async def poll_recordings(ctx: JobContext) -> int:
    """Announce the finished recordings we do not have yet; returns how many."""
    client = ctx.platforms.of(MockClient)
    if client.settings.api_url is None:
        return 0
    try:
        finished = await client.finished_recordings()
    except PlatformUnavailable as exc:
        raise TransientJobError(exc.message) from exc
    found = 0
    for recording in finished:
        if await ctx.recordings.known(client.slug, recording.id):
            continue
        try:
            tracks = tuple(
                announced_track(t.url, t.participant_id, t.user_name, t.offset_seconds)
                for t in recording.tracks
            )
        except ValidationError as exc:
            logger.warning("mock recording %s unusable: %s", recording.id, first_error(exc))
            continue
        ready = RecordingReady(recording.room_name, recording.id, tracks, ctx.clock())
        match await ctx.recordings.announce(client.slug, ready):
            case Announced.NEW:
                logger.info("mock recording %s found by polling", recording.id)
                found += 1
            case Announced.NO_MEETING:
                logger.info("mock recording %s: no meeting in its room", recording.id)
    return found


async def _poll(ctx: JobContext) -> None:
    await poll_recordings(ctx)


PERIODIC = (PeriodicSpec("mock.poll_recordings", POLL_RECORDINGS_EVERY_SECONDS, _poll),)
