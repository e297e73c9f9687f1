"""Daily's periodic work. Webhooks are a hint, polling is the truth
(docs/platforms/daily.md#presence, docs/platforms/daily.md#recordings): recordings are listed until
the newest one we already have, and the presence of active meetings corrects their participants."""

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import Meeting
from reflector.inbox.actions import RecordingReady
from reflector.infra.job_errors import TransientJobError
from reflector.jobs import JobContext, PeriodicSpec
from reflector.recordings import announcements, incoming
from reflector.video_platforms.daily.api import Recording
from reflector.video_platforms.daily.client import DailyClient
from reflector.video_platforms.daily.events import PLATFORM
from reflector.video_platforms.errors import PlatformUnavailable

logger = logging.getLogger(__name__)
POLL_RECORDINGS_EVERY_SECONDS = 300.0
# Presence lags up to 15 s; asking more often tells nothing new (docs/platforms/daily.md#presence).
# A recording belongs to the meeting of its room that started last before it
# (docs/platforms/daily.md#recordings).
_MATCH_WINDOW = timedelta(days=7)


async def poll_recordings(ctx: JobContext) -> int:
    """Announce finished recordings we do not have; returns how many."""
    client = ctx.platforms.of(DailyClient)
    found = 0
    try:
        async for recording in client.api.recordings():
            async with ctx.db.write() as session:
                if await incoming.by_platform_id(session, PLATFORM, recording.id):
                    return found  # newest first: everything older is known too
                if recording.status != "finished" or not recording.duration:
                    continue
                meeting = await _meeting_of(session, recording)
                if meeting is None:
                    logger.info("daily recording %s: no meeting of ours", recording.id)
                    continue
                ready = _ready(client, recording)
                if await announcements.announce(session, meeting, ready, ctx.clock()):
                    logger.info("daily recording %s found by polling", recording.id)
                    found += 1
    except PlatformUnavailable as exc:
        raise TransientJobError(exc.message) from exc
    return found


def _ready(client: DailyClient, recording: Recording) -> RecordingReady:
    audio = [track.s3_key for track in recording.tracks or [] if track.type == "audio"]
    tracks = client.translator.tracks(recording.id, recording.s3_key, audio)
    started = datetime.fromtimestamp(recording.start_ts, UTC)
    return RecordingReady(recording.room_name, recording.id, tracks, started)


async def _meeting_of(session: AsyncSession, recording: Recording) -> Meeting | None:
    """The meeting in the recording's room that started last before the recording did."""
    started = datetime.fromtimestamp(recording.start_ts, UTC)
    return await session.scalar(
        select(Meeting)
        .where(
            Meeting.platform == PLATFORM,
            Meeting.platform_room_name == recording.room_name,
            Meeting.start_date <= started + timedelta(minutes=5),
            Meeting.start_date >= started - _MATCH_WINDOW,
        )
        .order_by(Meeting.start_date.desc())
        .limit(1)
    )


async def _poll(ctx: JobContext) -> None:
    await poll_recordings(ctx)


PERIODIC = (PeriodicSpec("daily.poll_recordings", POLL_RECORDINGS_EVERY_SECONDS, _poll),)
