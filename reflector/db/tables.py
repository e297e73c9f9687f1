"""A meeting's record: rooms, meetings, who was in, consent, recordings, transcripts.
Platform-only data lives in `Meeting.provider_data`."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from reflector.db.base import Base
from reflector.db.kinds import (
    Consent,
    MeetingState,
    MixedOnRefusal,
    RecordingTrigger,
    RecordingType,
    RoomMode,
)

PLATFORM_SERVER_DEFAULT = "mock"


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    # What people call the room, in any language; `name` is its URL-safe handle.
    title: Mapped[str | None] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(String(128))
    platform: Mapped[str] = mapped_column(String(32), server_default=PLATFORM_SERVER_DEFAULT)
    is_locked: Mapped[bool] = mapped_column(Boolean, server_default=false())
    room_mode: Mapped[str] = mapped_column(String(16), server_default=RoomMode.NORMAL.value)
    recording_type: Mapped[str] = mapped_column(
        String(16), server_default=RecordingType.CLOUD.value
    )
    recording_trigger: Mapped[str] = mapped_column(
        String(32), server_default=RecordingTrigger.AUTOMATIC_2ND_PARTICIPANT.value
    )
    is_shared: Mapped[bool] = mapped_column(Boolean, server_default=false())
    webhook_url: Mapped[str | None] = mapped_column(String(2048))
    webhook_secret: Mapped[str | None] = mapped_column(String(128))
    consent: Mapped[str] = mapped_column(String(8), server_default=Consent.NONE.value)
    # How a participant whose answer we never saw counts; unset: refuse.
    consent_default: Mapped[str | None] = mapped_column(String(8))
    mixed_on_refusal: Mapped[str] = mapped_column(
        String(16), server_default=MixedOnRefusal.TRANSCRIBE.value
    )
    # Days after processing; unset: the service's RETENTION_* (a room may only shorten it).
    retention_media_days: Mapped[int | None]
    retention_transcript_days: Mapped[int | None]
    created_at: Mapped[datetime]


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (
        UniqueConstraint("platform", "platform_meeting_id"),
        Index("ix_meetings_platform_room_name", "platform", "platform_room_name"),
        Index("ix_meetings_room_state", "room_id", "state"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32), server_default=PLATFORM_SERVER_DEFAULT)
    platform_meeting_id: Mapped[str] = mapped_column(String(255))
    platform_room_name: Mapped[str] = mapped_column(String(255))
    room_url: Mapped[str] = mapped_column(String(2048))
    host_room_url: Mapped[str] = mapped_column(String(2048))
    start_date: Mapped[datetime]
    end_date: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), server_default=MeetingState.ACTIVE.value)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    provider_data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]


class ParticipantSession(Base):
    """One connection of one participant; `num_clients` counts the open ones."""

    __tablename__ = "participant_sessions"
    __table_args__ = (UniqueConstraint("meeting_id", "platform_participant_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    platform_participant_id: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str | None] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255))
    joined_at: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    is_recorder: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # When we last recorded evidence about this connection (our clock), and whether its
    # `left_at` is a reconciliation's verdict rather than the platform's word.
    observed_at: Mapped[datetime | None]
    closed_by_check: Mapped[bool] = mapped_column(Boolean, server_default=false())


class ConsentAnswer(Base):
    """One person's answer to being recorded in one meeting: a signed-in user's (`user_id`),
    or a guest's, known by the name they gave; answering again replaces it."""

    __tablename__ = "consent_answers"
    __table_args__ = (Index("ix_consent_answers_meeting_id", "meeting_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[str | None] = mapped_column(String(128), index=True)
    name: Mapped[str] = mapped_column(String(255))
    answer: Mapped[str] = mapped_column(String(8))
    answered_at: Mapped[datetime]


class Recording(Base):
    """A recording; `tracks` lists its files (one per participant, or one mixed), typed by
    `reflector.recordings.tracks.Track`. Announced by a platform, it exists before its files
    are ours: `storage_key`, `size` and `sha256` are set once every track is stored."""

    __tablename__ = "recordings"
    __table_args__ = (UniqueConstraint("platform", "platform_recording_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    meeting_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(32))
    platform_recording_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    # While it is worked on: `fetching`, `extracting`, `transcribing`, `done`, and how far
    # into that stage it is, from 0 to 1.
    stage: Mapped[str | None] = mapped_column(String(16))
    progress: Mapped[float | None] = mapped_column(Float)
    tracks: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    storage_key: Mapped[str | None] = mapped_column(String(512))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    duration: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(String(1000))
    # What the platform says about it, e.g. which instance of the platform room it recorded.
    provider_data: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default="{}")
    # What consent did to it (`recordings.consent.Outcome`): tracks withheld, audio deleted.
    consent: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # When its processing ended, the day retention counts from; when its files and its
    # transcript were deleted, by consent or retention.
    processed_at: Mapped[datetime | None]
    media_deleted_at: Mapped[datetime | None]
    transcript_deleted_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class Transcript(Base):
    """The transcript of one recording; processing it again rewrites it, under the same id."""

    __tablename__ = "transcripts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    recording_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("recordings.id", ondelete="CASCADE"), unique=True
    )
    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    room_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("rooms.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    # The language most of it is in, and each speaker's (ISO 639 codes; `und`: none said).
    language: Mapped[str] = mapped_column(String(16))
    languages: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    # What made it: the engine of `pipeline.engines.ENGINES` and its model.
    engine: Mapped[str] = mapped_column(String(32), server_default="")
    model: Mapped[str] = mapped_column(String(512), server_default="")
    # Each: start, end, speaker, text and its words with their times.
    segments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The meeting's record (`pipeline.summary`): status, title, text, topics, decisions,
    # action items, the model that wrote it, or why there is none.
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, server_default="{}")
    # The segments' text in one, for full-text search (`reflector.search`).
    text: Mapped[str] = mapped_column(Text, server_default="", default="")
    created_at: Mapped[datetime]
