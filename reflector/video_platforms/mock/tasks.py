"""The mock platform's periodic work: polling its API for finished recordings whose
announcement never arrived."""

import logging

from pydantic import ValidationError

from reflector.inbox.actions import RecordingReady
from reflector.infra.job_errors import TransientJobError
from reflector.infra.validation import first_error
from reflector.jobs import JobContext, PeriodicSpec
from reflector.recordings import announcements, incoming
from reflector.rooms.meetings import newest_in_platform_room
from reflector.video_platforms.errors import PlatformUnavailable
from reflector.video_platforms.mock.client import MockClient
from reflector.video_platforms.mock.events import PLATFORM, announced_track

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
    async with ctx.db.write() as session:
        for recording in finished:
            if await incoming.by_platform_id(session, PLATFORM, recording.id):
                continue
            meeting = await newest_in_platform_room(session, PLATFORM, recording.room_name)
            if meeting is None:
                logger.info("mock recording %s: no meeting in its room", recording.id)
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
            if await announcements.announce(session, meeting, ready, ctx.clock()):
                logger.info("mock recording %s found by polling", recording.id)
                found += 1
    return found


async def _poll(ctx: JobContext) -> None:
    await poll_recordings(ctx)


PERIODIC = (PeriodicSpec("mock.poll_recordings", POLL_RECORDINGS_EVERY_SECONDS, _poll),)
