"""Processing a stored recording: probe, extract audio, transcribe each track, store the result.

Tracks are merged by time: each track's segments are shifted by its start offset, so a
participant who joined late is placed where they spoke. A track's speaker is the name it
came with, else the name of the participant session it names, else "Speaker N".

The work runs in a thread so that the job's lease keeps being renewed while it decodes.
When the job gives up (not usable media, errors until the last attempt, or a worker killed
three times), the recording fails with the reason.
"""

import asyncio
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs, recording_tracks, room_webhooks
from reflector.db import Meeting, ParticipantSession, Recording, RecordingStatus, Room, Transcript
from reflector.job_errors import PermanentJobError
from reflector.jobs import JobContext
from reflector.pipeline import media
from reflector.pipeline.progress import ProgressWriter, Stage
from reflector.pipeline.reasons import for_people
from reflector.pipeline.storage import audio_key, file_chunks, remove_all
from reflector.pipeline.transcribe import Segment, make_transcriber

# 16 kHz mono 16-bit: 115 MB an hour; RECORDING_MAX_SECONDS bounds it long before this.
_AUDIO_MAX_BYTES = 2**40


async def process_recording(ctx: JobContext, args: jobs.JobArgs) -> None:
    recording_id = uuid.UUID(str(args["recording_id"]))
    async with ctx.db.write() as session:
        recording = await session.get(Recording, recording_id)
        if recording is None:
            return  # deleted since it was queued
        recording.status = RecordingStatus.PROCESSING
        recording.error = None
        recording.stage, recording.progress = Stage.EXTRACTING, 0.0
        tracks = recording_tracks.load(recording.tracks)
        names = await _participant_names(session, recording.meeting_id)
    keys: list[str] = []
    for index, track in enumerate(tracks):
        if track.key is None:
            raise PermanentJobError(f"track {index + 1} is not in storage")
        keys.append(track.key)
    settings = ctx.config.settings
    transcriber = make_transcriber(settings)
    segments: list[Segment] = []
    async with ProgressWriter(ctx.db, recording_id) as progress:
        with tempfile.TemporaryDirectory(prefix="reflector-audio-") as scratch:
            # Every track's audio first, then every transcription: each stage goes 0 to 1 once.
            wavs, duration = [], 0.0
            for index, (track, key) in enumerate(zip(tracks, keys, strict=True)):
                wav = Path(scratch) / f"track-{index}.wav"
                async with ctx.storage.local_path(key) as path:
                    probed = await asyncio.to_thread(
                        media.probe, path, settings.RECORDING_MAX_SECONDS
                    )
                    # Known from the probe on; the decoded length below is the final word.
                    progress.duration(max(duration, track.offset_seconds + probed.duration))
                    told = _extracting(progress, index, len(tracks), probed.duration)
                    seconds = await asyncio.to_thread(media.extract_audio, path, wav, told)
                    told(seconds)
                duration = max(duration, track.offset_seconds + seconds)
                wavs.append(wav)
                audio = await ctx.storage.put(
                    audio_key(recording_id, index), file_chunks(wav), _AUDIO_MAX_BYTES
                )
                tracks[index] = track.model_copy(
                    update={"audio_key": audio.key, "audio_size": audio.size}
                )
            for index, (track, wav) in enumerate(zip(tracks, wavs, strict=True)):
                speaker = (
                    track.speaker or names.get(track.participant_id or "") or f"Speaker {index + 1}"
                )

                def told(fraction: float, index: int = index) -> None:
                    progress.at(Stage.TRANSCRIBING, (index + fraction) / len(tracks))

                told(0.0)
                found = await asyncio.to_thread(transcriber.transcribe, wav, speaker, told)
                told(1.0)
                segments += [segment.shifted(track.offset_seconds) for segment in found]
    segments.sort(key=lambda segment: (segment.start, segment.speaker))
    stored = await _store(ctx, recording_id, tracks, duration, segments, transcriber.language)
    if not stored:  # deleted while it was processed: its audio must not stay behind
        await remove_all(ctx.storage, [track.audio_key for track in tracks if track.audio_key])


def _extracting(
    progress: ProgressWriter, index: int, count: int, seconds: float
) -> Callable[[float], None]:
    """What extracting track `index` of `count`, `seconds` long, tells as it decodes."""

    def told(decoded: float) -> None:
        progress.at(Stage.EXTRACTING, (index + min(1.0, decoded / seconds)) / count)

    return told


async def _participant_names(session: AsyncSession, meeting_id: uuid.UUID) -> dict[str, str]:
    query = select(
        ParticipantSession.platform_participant_id, ParticipantSession.display_name
    ).where(
        ParticipantSession.meeting_id == meeting_id, ParticipantSession.display_name.is_not(None)
    )
    return {participant: str(name) for participant, name in await session.execute(query)}


async def _store(
    ctx: JobContext,
    recording_id: uuid.UUID,
    tracks: list[recording_tracks.Track],
    duration: float,
    segments: list[Segment],
    language: str,
) -> bool:
    """The transcript, and the recording done; False if the recording is gone."""
    async with ctx.db.write() as session:
        recording = await session.get(Recording, recording_id)
        if recording is None:
            return False
        room_id = (await session.get_one(Meeting, recording.meeting_id)).room_id
        # Processed again, the recording keeps its transcript's id: links to it stay valid.
        transcript = await session.scalar(
            select(Transcript).where(Transcript.recording_id == recording_id)
        )
        if transcript is None:
            transcript = Transcript(
                recording_id=recording_id,
                meeting_id=recording.meeting_id,
                room_id=room_id,
                created_at=ctx.clock(),
            )
            session.add(transcript)
        transcript.status = "done"
        transcript.language = language
        transcript.segments = [segment.as_json() for segment in segments]
        transcript.text = " ".join(segment.text for segment in segments)
        recording.tracks = recording_tracks.dump(tracks)
        recording.status = RecordingStatus.DONE
        recording.stage, recording.progress = Stage.DONE, 1.0
        recording.duration = duration
        await session.flush()
        room = await session.get_one(Room, room_id)
        path = f"/v1/transcripts/{transcript.id}"
        public = ctx.config.settings.PUBLIC_URL
        data = {
            "transcript_id": str(transcript.id),
            "transcript_url": f"{str(public).rstrip('/')}{path}" if public else path,
            "duration": round(duration, 3),
            "recording_id": str(recording_id),
            "meeting_id": str(recording.meeting_id),
            "room_id": str(room.id),
            "room_name": room.name,
        }
        await room_webhooks.enqueue_event(session, ctx, room, "transcript.completed", data)
    return True


async def _give_up(session: AsyncSession, args: jobs.JobArgs, reason: str) -> None:
    recording = await session.get(Recording, uuid.UUID(str(args["recording_id"])))
    if recording is None:
        return
    recording.status = RecordingStatus.FAILED
    recording.error = for_people(reason)[:1000]


PROCESS_RECORDING = jobs.JobSpec(
    "reflector.process_recording",
    process_recording,
    soft_time_limit=3 * 3600,
    time_limit=3 * 3600 + 300,
    on_give_up=_give_up,
)
