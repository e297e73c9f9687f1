"""Huddle's webhook body: `{"id", "type", "room", "participant", "name"?, "at"}`, one
participant joining or leaving."""

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter

from reflector.inbox.actions import InboundEvent, ParticipantJoined, ParticipantLeft
from reflector.infra.validation import SafeStr
from reflector.video_platforms.event_format import EventFormat, EventId

Name = Annotated[SafeStr, Field(min_length=1, max_length=255)]


class _Event(BaseModel):
    id: EventId
    room: Name
    participant: Name
    at: AwareDatetime


class _Joined(_Event):
    type: Literal["joined"]
    name: SafeStr | None = None


class _Left(_Event):
    type: Literal["left"]


def format_of(slug: str) -> EventFormat[_Joined | _Left]:
    return EventFormat(slug, TypeAdapter(_Joined | _Left), frozenset({"joined", "left"}))


def translate(form: EventFormat[_Joined | _Left], body: bytes) -> InboundEvent:
    event = form.read(body)
    if isinstance(event, InboundEvent):
        return event
    if isinstance(event, _Joined):
        action: ParticipantJoined | ParticipantLeft = ParticipantJoined(
            event.room, event.participant, event.at, display_name=event.name
        )
    else:
        action = ParticipantLeft(event.room, event.participant, event.at)
    return InboundEvent(
        platform=form.platform,
        key=event.id,
        type=event.type,
        raw_body=body,
        metric_type=event.type,
        actions=(action,),
    )
