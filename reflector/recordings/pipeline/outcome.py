"""The store and announce stages: the tracks' transcriptions merged into the recording's
transcript, then `transcript.completed`, with the summary, sent to the room's webhook.

Tracks are merged by time: each track's segments are placed at its start offset, so a
participant who joined late is placed where they spoke.
"""

from typing import Any

from sqlalchemy import select

from reflector.db import Meeting, Recording, RecordingStatus, Transcript
from reflector.recordings import search
from reflector.recordings import tracks as recording_tracks
from reflector.recordings.pipeline import progress
from reflector.recordings.pipeline.work import RecordingGone, Told, Work, rows_of
from reflector.rooms import room_webhooks

UNDETERMINED = "und"  # ISO 639-2: nobody said anything


async def store_transcript(work: Work, told: Told) -> None:
    segments = _merged(work)
    languages = _languages(work)
    async with work.ctx.db.write() as session:
        recording = await session.get(Recording, work.recording_id)
        if recording is None:
            raise RecordingGone
        # Processed again, the recording keeps its transcript's id: links to it stay valid.
        transcript = await session.scalar(
            select(Transcript).where(Transcript.recording_id == work.recording_id)
        )
        if transcript is None:
            meeting = await session.get_one(Meeting, recording.meeting_id)
            transcript = Transcript(
                recording_id=work.recording_id,
                meeting_id=meeting.id,
                room_id=meeting.room_id,
                created_at=work.ctx.clock(),
            )
            session.add(transcript)
        transcript.status = "done"
        transcript.language = _main_language(work)
        transcript.languages = languages
        transcript.engine, transcript.model = work.engine, work.model
        transcript.segments = segments
        transcript.text = search.document(segments, transcript.summary or {})
        recording.tracks = recording_tracks.dump(work.tracks)
        recording.duration = work.duration
        await session.flush()
        work.transcript_id = transcript.id


async def announce(work: Work, told: Told) -> None:
    """The recording is done; its room's webhook hears of it in the same transaction."""
    async with work.ctx.db.write() as session:
        recording, room = await rows_of(session, work.recording_id)
        transcript = await session.get_one(Transcript, work.transcript_id)
        recording.status = RecordingStatus.DONE
        recording.stage, recording.progress = progress.DONE, 1.0
        recording.processed_at = work.ctx.clock()
        path = f"/v1/transcripts/{work.transcript_id}"
        public = work.ctx.config.settings.PUBLIC_URL
        data = {
            "transcript_id": str(work.transcript_id),
            "transcript_url": f"{str(public).rstrip('/')}{path}" if public else path,
            "duration": round(work.duration, 3),
            "recording_id": str(work.recording_id),
            "meeting_id": str(recording.meeting_id),
            "room_id": str(room.id),
            "room_name": room.name,
            "summary": transcript.summary,
        }
        await room_webhooks.enqueue_event(session, work.ctx, room, "transcript.completed", data)


def _merged(work: Work) -> list[dict[str, Any]]:
    segments = [
        {
            "start": placed.start,
            "end": placed.end,
            "speaker": work.speaker(index),
            "text": placed.text,
            "words": [word.as_json() for word in placed.words],
        }
        for index, (track, heard) in enumerate(zip(work.tracks, work.heard, strict=True))
        if heard is not None
        for placed in (segment.shifted(track.offset_seconds) for segment in heard.segments)
    ]
    return sorted(segments, key=lambda segment: (segment["start"], segment["speaker"]))


def _languages(work: Work) -> dict[str, str]:
    """Each speaker's language, as detected in their track (or as forced)."""
    return {
        work.speaker(index): heard.language
        for index, heard in enumerate(work.heard)
        if heard is not None and heard.segments
    }


def _main_language(work: Work) -> str:
    """The language most of the meeting was spoken in."""
    spoken: dict[str, float] = {}
    for heard in work.heard:
        if heard is not None:
            said = sum(s.end - s.start for s in heard.segments)
            spoken[heard.language] = spoken.get(heard.language, 0.0) + said
    if spoken and max(spoken.values()) > 0:
        return max(spoken, key=lambda language: spoken[language])
    return work.ctx.config.settings.TRANSCRIPTION_LANGUAGE or UNDETERMINED
