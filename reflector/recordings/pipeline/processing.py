"""The processing job of a recording: `pipeline.stages.STAGES`, in order, under one lease.

It runs on its own queue (`transcription`), so that heavy workers may run on machines of
their own; one processing job per recording is live at a time (`active_key`). When the job
gives up (not usable media, errors until the last attempt, or a worker killed three times),
the recording fails with the stage that failed and the reason.
"""

import tempfile
import uuid
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs
from reflector.db import ParticipantSession, Recording, RecordingStatus
from reflector.infra.storage import remove_all
from reflector.jobs import JobContext
from reflector.recordings import tracks as recording_tracks
from reflector.recordings.pipeline import stages
from reflector.recordings.pipeline.progress import ProgressWriter
from reflector.recordings.pipeline.reasons import for_people
from reflector.recordings.pipeline.work import RecordingGone, Work

QUEUE = "transcription"


def active_key(recording_id: uuid.UUID) -> str:
    return f"process-recording:{recording_id}"


async def process_recording(ctx: JobContext, args: jobs.JobArgs) -> None:
    recording_id = uuid.UUID(str(args["recording_id"]))
    with tempfile.TemporaryDirectory(prefix="reflector-audio-") as scratch:
        work = await _begin(ctx, recording_id, Path(scratch))
        if work is None:
            return  # deleted since it was queued
        try:
            async with ProgressWriter(ctx.db, recording_id) as progress:
                await stages.run(work, progress)
        except RecordingGone:  # deleted while it was processed: leave no file behind
            await remove_all(ctx.storage, recording_tracks.stored_keys(work.tracks))


async def _begin(ctx: JobContext, recording_id: uuid.UUID, scratch: Path) -> Work | None:
    async with ctx.db.write() as session:
        recording = await session.get(Recording, recording_id)
        if recording is None:
            return None
        recording.status = RecordingStatus.PROCESSING
        recording.error = None
        recording.stage, recording.progress = stages.STAGES[0].name, 0.0
        return Work(
            ctx=ctx,
            recording_id=recording_id,
            platform=recording.platform,
            tracks=recording_tracks.load(recording.tracks),
            names=await _participant_names(session, recording.meeting_id),
            scratch=scratch,
        )


async def _participant_names(session: AsyncSession, meeting_id: uuid.UUID) -> dict[str, str]:
    query = select(
        ParticipantSession.platform_participant_id, ParticipantSession.display_name
    ).where(
        ParticipantSession.meeting_id == meeting_id, ParticipantSession.display_name.is_not(None)
    )
    return {participant: str(name) for participant, name in await session.execute(query)}


async def _give_up(session: AsyncSession, args: jobs.JobArgs, reason: str) -> None:
    recording = await session.get(Recording, uuid.UUID(str(args["recording_id"])))
    if recording is None:
        return
    recording.status = RecordingStatus.FAILED
    recording.error = f"{stages.failure(recording.stage)}: {for_people(reason)}"[:1000]


PROCESS_RECORDING = jobs.JobSpec(
    "reflector.process_recording",
    process_recording,
    soft_time_limit=3 * 3600,
    time_limit=3 * 3600 + 300,
    on_give_up=_give_up,
    queue=QUEUE,
)
