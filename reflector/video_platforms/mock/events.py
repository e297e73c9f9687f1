"""The mock platform's webhook format (SPEC §5), parsed into the inbox's events."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter, ValidationError

from reflector.inbox import InboundEvent, MeetingEnded, ParticipantJoined, ParticipantLeft
from reflector.validation import SafeStr, first_error

PLATFORM = "mock"
EventId = Annotated[SafeStr, Field(min_length=1)]


class _Envelope(BaseModel):
    id: EventId
    type: SafeStr


class _RoomData(BaseModel):
    room_name: Annotated[SafeStr, Field(min_length=1)]


class _ParticipantData(_RoomData):
    participant_id: Annotated[SafeStr, Field(min_length=1)]
    user_name: SafeStr | None = None
    user_id: SafeStr | None = None
    is_recorder: bool = False


class _Joined(BaseModel):
    id: EventId
    type: Literal["participant.joined"]
    created_at: AwareDatetime
    data: _ParticipantData


class _Left(BaseModel):
    id: EventId
    type: Literal["participant.left"]
    created_at: AwareDatetime
    data: _ParticipantData


class _Ended(BaseModel):
    id: EventId
    type: Literal["meeting.ended"]
    created_at: AwareDatetime
    data: _RoomData


_Event = TypeAdapter(Annotated[_Joined | _Left | _Ended, Field(discriminator="type")])
KNOWN_TYPES = frozenset({"participant.joined", "participant.left", "meeting.ended"})


def translate(body: bytes) -> InboundEvent:
    """An authentic body as an inbox event; bodies we cannot use are kept, not refused."""
    try:
        envelope = _Envelope.model_validate_json(body)
    except ValidationError as exc:
        return _unusable(body, "unreadable", exc)
    if envelope.type not in KNOWN_TYPES:
        return InboundEvent.unknown_type(PLATFORM, body, envelope.type, envelope.id)
    try:
        event = _Event.validate_json(body)
    except ValidationError as exc:
        return _unusable(body, envelope.type, exc, envelope.id)
    at: datetime = event.created_at
    match event:
        case _Joined(data=data):
            action: ParticipantJoined | ParticipantLeft | MeetingEnded = ParticipantJoined(
                room_name=data.room_name,
                participant_id=data.participant_id,
                at=at,
                user_id=data.user_id,
                display_name=data.user_name,
                is_recorder=data.is_recorder,
            )
        case _Left(data=data):
            action = ParticipantLeft(
                room_name=data.room_name,
                participant_id=data.participant_id,
                at=at,
                is_recorder=data.is_recorder,
            )
        case _Ended(data=data):
            action = MeetingEnded(room_name=data.room_name, at=at)
    return InboundEvent(
        platform=PLATFORM,
        key=event.id,
        type=event.type,
        raw_body=body,
        metric_type=event.type,
        actions=(action,),
    )


def _unusable(
    body: bytes, type_: str, exc: ValidationError, key: str | None = None
) -> InboundEvent:
    metric_type = type_ if type_ in KNOWN_TYPES else "other"
    problem = f"malformed event: {first_error(exc)}"
    return InboundEvent.unusable(PLATFORM, body, type_, metric_type, problem, key)
