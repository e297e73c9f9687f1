"""Request and response bodies of the management API."""

import uuid
from datetime import datetime
from typing import Generic, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
)

from reflector.db.kinds import (
    Answer,
    Consent,
    MixedOnRefusal,
    RecordingTrigger,
    RecordingType,
    RoomMode,
)
from reflector.infra.validation import SafeStr
from reflector.rooms.fields import Strict
from reflector.video_platforms.base import Capability, Role


class RoomOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    title: str | None
    owner: str
    platform: str
    is_locked: bool
    room_mode: RoomMode
    recording_type: RecordingType
    recording_trigger: RecordingTrigger
    is_shared: bool
    webhook_url: str | None = Field(description="Only shown to the room's owner")
    webhook_secret: str | None = Field(description="Only shown to the room's owner")
    consent: Consent
    consent_default: Answer | None
    mixed_on_refusal: MixedOnRefusal
    retention_media_days: int | None
    retention_transcript_days: int | None
    created_at: datetime


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    size: int


class MeetingCreate(Strict):
    allow_duplicated: bool = False


class ParticipantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    platform_participant_id: str
    user_id: str | None
    display_name: str | None
    joined_at: datetime | None
    left_at: datetime | None
    is_recorder: bool


class MeetingOut(BaseModel):
    id: uuid.UUID
    room_id: uuid.UUID
    platform: str
    platform_meeting_id: str
    platform_room_name: str
    room_url: str
    host_room_url: str | None = Field(description="Only shown to the room's owner")
    start_date: datetime
    end_date: datetime
    state: str
    ended_at: datetime | None
    end_reason: str | None
    num_clients: int
    created_at: datetime


class ConsentIn(Strict):
    answer: Answer


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    user_id: str | None = Field(description="The signed-in user who answered; null: a guest")
    name: str = Field(description="Who answered: the user's name, or the name a guest gave")
    answer: Answer
    answered_at: datetime


class MeetingDetail(MeetingOut):
    participants: list[ParticipantOut]
    consent: list[ConsentOut] | None = Field(
        default=None, description="Everyone's answer to being recorded: only for the owner"
    )


class RoomPresence(BaseModel):
    """Who is in a room now: its active meeting and the people in it."""

    room_id: uuid.UUID
    room_name: str
    meeting_id: uuid.UUID
    platform: str
    num_clients: int


class JoinRequest(Strict):
    role: Role | None = Field(
        default=None, description="Defaults to host for the room's owner, else participant"
    )
    display_name: SafeStr | None = Field(
        default=None,
        description="A name to be shown by, only for links that carry no identity (a public "
        "room without tokens); a link with a token names the signed-in user",
    )


class JoinOut(BaseModel):
    url: str
    role: Role
    platform: str


class SessionOut(BaseModel):
    participant_id: str
    user_id: str | None
    user_name: str | None
    joined_at: datetime
    left_at: datetime | None
    is_recorder: bool


class PlatformOut(BaseModel):
    slug: str
    title: str = Field(description="What people call it")
    configured: bool
    missing: list[str]
    capabilities: list[Capability]


class PlatformHealth(BaseModel):
    platform: str
    configured: bool
    missing: list[str]
    last_event_at: datetime | None


class Outbox(BaseModel):
    waiting: int = Field(description="Jobs due that no broker has taken yet.")
    oldest_seconds: float | None = Field(description="How long the oldest of them has waited.")


class Health(BaseModel):
    status: Literal["ok", "degraded", "unavailable"] = Field(
        description="unavailable (503): the database does not answer; degraded: the broker "
        "does not, and jobs wait in the outbox until it does."
    )
    database: Literal["ok", "unreachable"]
    broker: Literal["ok", "unreachable"] | None = None
    outbox: Outbox | None = None


class WebhookTestOut(BaseModel):
    message_id: str


class WebhookDeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    message_id: str
    event_type: str
    attempt: int
    url: str
    status_code: int | None
    error: str | None
    created_at: datetime
