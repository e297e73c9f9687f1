"""One processing of one recording: what every stage reads and what each leaves for the next."""

import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import Meeting, Recording, Room
from reflector.jobs import JobContext
from reflector.recordings.pipeline.engines.base import Transcription
from reflector.recordings.pipeline.media import MediaInfo
from reflector.recordings.tracks import Track

# Told how far into its stage the work is, from 0 to 1, from any thread.
Told = Callable[[float], None]


class RecordingGone(Exception):
    """The recording was deleted while it was processed: stop, and leave nothing behind."""


async def rows_of(session: AsyncSession, recording_id: uuid.UUID) -> tuple[Recording, Room]:
    """The recording being processed and its room, unless it was deleted meanwhile."""
    recording = await session.get(Recording, recording_id)
    if recording is None:
        raise RecordingGone
    meeting = await session.get_one(Meeting, recording.meeting_id)
    return recording, await session.get_one(Room, meeting.room_id)


@dataclass
class Work:
    ctx: JobContext
    recording_id: uuid.UUID
    platform: str
    tracks: list[Track]
    # Display names of the meeting's participants, by platform participant id.
    names: dict[str, str]
    scratch: Path
    # Set when the job stops (its lease was lost): threads stop before their next piece.
    stop: threading.Event = field(default_factory=threading.Event)
    probed: list[MediaInfo] = field(default_factory=list)
    wavs: list[Path] = field(default_factory=list)
    duration: float = 0.0
    heard: list[Transcription | None] = field(default_factory=list)
    engine: str = ""
    model: str = ""
    transcript_id: uuid.UUID | None = None
    # Consent asks for the recording's files to go as soon as its transcript exists.
    forget_media: bool = False

    def speaker(self, index: int) -> str:
        """Track `index`'s speaker: the name it came with, else its participant's name."""
        track = self.tracks[index]
        return track.speaker or self.names.get(track.participant_id or "") or f"Speaker {index + 1}"
