"""Recordings and transcripts as the API shows them and takes them."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from reflector.infra.validation import SafeStr
from reflector.recordings.consent import Outcome


class RecordingOut(BaseModel):
    id: uuid.UUID
    meeting_id: uuid.UUID
    platform: str
    platform_recording_id: str | None
    status: str
    stage: str | None = Field(
        description="While it is worked on: fetching, probing, extracting, transcribing, "
        "storing, summarizing, announcing, then done"
    )
    progress: float | None = Field(
        description="How far its processing has come over all stages, from 0 to 1"
    )
    tracks: int
    size: int | None = Field(
        description="Bytes of its files; null until every track is ours (they may have been "
        "deleted since: media_deleted_at)"
    )
    sha256: str | None
    duration: float | None = Field(description="Seconds, as soon as the media is probed")
    error: str | None
    provider_data: dict[str, Any] = Field(
        description="What the platform says about the recording, e.g. its room instance"
    )
    transcript_id: uuid.UUID | None
    consent: Outcome
    media_deleted_at: datetime | None = Field(description="When its files were deleted")
    media_deleted_on: datetime | None = Field(
        description="When retention will delete its files; null: they are kept"
    )
    transcript_deleted_at: datetime | None = Field(
        description="When its transcript was deleted by retention"
    )
    created_at: datetime


class WordOut(BaseModel):
    start: float
    end: float
    text: str


class SegmentOut(BaseModel):
    start: float
    end: float
    speaker: str
    text: str
    words: list[WordOut] = Field(default=[], description="Each word with its times")


class TopicOut(BaseModel):
    title: str
    start: float = Field(description="Seconds: the start of the first segment it covers")
    end: float = Field(description="Seconds: the end of the last segment it covers")
    text: str


class ActionItemOut(BaseModel):
    text: str
    owner: str | None = Field(description="One of the transcript's speakers, or null")


class SummaryOut(BaseModel):
    """The meeting's record, written by the model of `LLM_MODEL`."""

    status: Literal["done", "failed", "skipped", "pending"] = Field(
        "skipped", description="skipped: summaries are off, or nothing was said"
    )
    title: str | None = None
    text: str | None = Field(None, description="A few paragraphs")
    topics: list[TopicOut] = []
    decisions: list[str] = []
    action_items: list[ActionItemOut] = []
    model: str | None = None
    error: str | None = Field(None, description="Why there is none, in plain words")


class TranscriptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    recording_id: uuid.UUID
    meeting_id: uuid.UUID
    room_id: uuid.UUID
    status: str
    language: str = Field(description="What most of it is in (ISO 639 code); und: nothing said")
    languages: dict[str, str] = Field(description="Each speaker's language, where they spoke")
    engine: str = Field(
        description="The transcription engine that made it, e.g. whisper; empty when "
        "nobody spoke, so that no engine ran"
    )
    model: str = Field(description="The engine's model, e.g. base; empty when nobody spoke")
    segments: list[SegmentOut]
    summary: SummaryOut
    consent: Outcome = Field(
        default_factory=Outcome, description="What consent did to its recording"
    )
    deleted_on: datetime | None = Field(
        default=None, description="When retention will delete it; null: it is kept"
    )
    created_at: datetime


SPEAKER_NAME_RULES = "a speaker's name is 1 to 100 characters, with no control characters"
SpeakerName = Annotated[
    SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]


class SpeakersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    names: dict[str, SpeakerName] = Field(
        description="Each speaker to rename, by their name now, and their new name; a new "
        "name that another speaker has already merges the two",
        min_length=1,
    )


class TranscriptSummary(BaseModel):
    """A transcript in a list or search results: where it is from, and an excerpt."""

    id: uuid.UUID
    recording_id: uuid.UUID
    meeting_id: uuid.UUID
    room_id: uuid.UUID
    room_name: str
    room_title: str | None
    language: str
    excerpt: str = Field(description="Around the first word searched for, else the beginning")
    created_at: datetime
