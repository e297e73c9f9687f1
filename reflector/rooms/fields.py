"""What a room is made of, as it is asked for: the fields of a new room and of a change to
one, each checked (the API's bodies and the room form both use these)."""

import re
from typing import Annotated

from pydantic import AfterValidator, AnyHttpUrl, BaseModel, ConfigDict, Field, WithJsonSchema

from reflector.config.settings import MAX_RETENTION_DAYS, SLUG_PATTERN
from reflector.db.kinds import (
    Answer,
    Consent,
    MixedOnRefusal,
    RecordingTrigger,
    RecordingType,
    RoomMode,
)
from reflector.infra.validation import UrlStr

ROOM_NAME_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
ROOM_NAME_RULES = (
    "1 to 64 characters: lowercase letters a-z, digits 0-9 and hyphens, "
    "starting and ending with a letter or a digit (it is part of the room's URL)"
)
# A Standard Webhooks secret: "whsec_" + base64 of at least 24 random bytes.
_WEBHOOK_SECRET = re.compile(r"^whsec_[A-Za-z0-9+/]{32,}={0,2}$")


def _http_url(value: str) -> str:
    AnyHttpUrl(value)
    return value


def _room_name(value: str) -> str:
    if not re.fullmatch(ROOM_NAME_PATTERN, value):
        raise ValueError(f"a room name is {ROOM_NAME_RULES}")
    return value


def _webhook_secret(value: str) -> str:
    if not _WEBHOOK_SECRET.fullmatch(value):
        raise ValueError("must be 'whsec_' followed by base64 of at least 24 bytes")
    return value


RoomName = Annotated[
    str,
    AfterValidator(_room_name),
    WithJsonSchema(
        {"type": "string", "pattern": ROOM_NAME_PATTERN, "maxLength": 64, "minLength": 1}
    ),
    Field(description=f"URL-safe: {ROOM_NAME_RULES}"),
]
PlatformSlug = Annotated[str, Field(pattern=SLUG_PATTERN, max_length=32)]
RoomTitle = Annotated[
    UrlStr,
    Field(min_length=1, max_length=200, description="What people call the room, any language"),
]
WebhookUrl = Annotated[UrlStr, AfterValidator(_http_url)]
WebhookSecret = Annotated[str, Field(max_length=128), AfterValidator(_webhook_secret)]
RetentionDays = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_RETENTION_DAYS,
        description="Days after processing; 0: as soon as the transcript exists. At most "
        "the service's own limit (RETENTION_*_DAYS)",
    ),
]
ConsentDefault = Annotated[
    Answer,
    Field(
        description="How a participant whose answer was never seen counts (joined the "
        "platform directly); unset: refuse"
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoomCreate(Strict):
    name: RoomName
    title: RoomTitle | None = None
    platform: PlatformSlug | None = None
    is_locked: bool = False
    room_mode: RoomMode = RoomMode.NORMAL
    recording_type: RecordingType | None = Field(
        default=None, description="Defaults to cloud where the platform records, else none"
    )
    recording_trigger: RecordingTrigger = RecordingTrigger.AUTOMATIC_2ND_PARTICIPANT
    is_shared: bool = False
    webhook_url: WebhookUrl | None = None
    webhook_secret: WebhookSecret | None = None
    consent: Consent = Field(
        default=Consent.NONE,
        description="ask: everyone joining through the room page is "
        "asked whether they agree to being recorded",
    )
    consent_default: ConsentDefault | None = None
    mixed_on_refusal: MixedOnRefusal = Field(
        default=MixedOnRefusal.TRANSCRIBE,
        description="A mixed recording in which someone refused: transcribed (its audio "
        "deleted right after) or not transcribed at all",
    )
    retention_media_days: RetentionDays | None = None
    retention_transcript_days: RetentionDays | None = None


class RoomUpdate(Strict):
    name: RoomName | None = None
    title: RoomTitle | None = None
    platform: PlatformSlug | None = None
    is_locked: bool | None = None
    room_mode: RoomMode | None = None
    recording_type: RecordingType | None = None
    recording_trigger: RecordingTrigger | None = None
    is_shared: bool | None = None
    webhook_url: WebhookUrl | None = None
    webhook_secret: WebhookSecret | None = None
    consent: Consent | None = None
    consent_default: ConsentDefault | None = None
    mixed_on_refusal: MixedOnRefusal | None = None
    retention_media_days: RetentionDays | None = None
    retention_transcript_days: RetentionDays | None = None
