"""What platforms translate their webhooks into: the one `Action` union, and the
`InboundEvent` that carries a body's actions to the inbox (`reflector.receiving`), which stores
and applies them. It depends on nothing above the schema, so the platform interface can
name it."""

import hashlib
from dataclasses import dataclass
from datetime import datetime

from reflector.db import EventStatus
from reflector.recordings.tracks import Track


@dataclass(frozen=True)
class ParticipantJoined:
    room_name: str
    participant_id: str
    at: datetime
    user_id: str | None = None
    display_name: str | None = None
    is_recorder: bool = False


@dataclass(frozen=True)
class ParticipantLeft:
    room_name: str
    participant_id: str
    at: datetime
    is_recorder: bool = False


@dataclass(frozen=True)
class MeetingEnded:
    room_name: str
    at: datetime


@dataclass(frozen=True)
class CallEnded:
    """The platform says the call is over, by a rule of its own (fewer than two people for a
    while): the meeting ends only if nobody but recorders is left in it."""

    room_name: str
    at: datetime


@dataclass(frozen=True)
class RoomActive:
    """The platform reports the room open: the event belongs to the meeting, nothing changes."""

    room_name: str
    at: datetime


@dataclass(frozen=True)
class RecordingReady:
    """The platform says a recording of this room is ready, and where its tracks are."""

    room_name: str
    recording_id: str
    tracks: tuple[Track, ...]
    at: datetime


@dataclass(frozen=True)
class RecordingFailed:
    """The platform says a recording of this room failed (it may never be announced)."""

    room_name: str
    failure_id: str
    reason: str
    at: datetime


Action = (
    ParticipantJoined
    | ParticipantLeft
    | MeetingEnded
    | CallEnded
    | RoomActive
    | RecordingReady
    | RecordingFailed
)


@dataclass(frozen=True)
class InboundEvent:
    """One authentic event, with what it says about one platform room.

    `actions` is empty when the event cannot be applied; `problem` says why.
    """

    platform: str
    key: str
    type: str
    raw_body: bytes
    metric_type: str
    actions: tuple[Action, ...] = ()
    problem: str | None = None
    status_without_action: EventStatus = EventStatus.PARKED

    def __post_init__(self) -> None:
        if len({action.room_name for action in self.actions}) > 1:
            raise ValueError("an event's actions must all name the same room")

    @classmethod
    def unusable(
        cls,
        platform: str,
        body: bytes,
        type_: str,
        metric_type: str,
        problem: str,
        key: str | None = None,
    ) -> "InboundEvent":
        """An authentic body we cannot read: kept as `failed`, by default keyed by its digest."""
        return cls(
            platform=platform,
            key=key or digest_key(body),
            type=type_,
            raw_body=body,
            metric_type=metric_type,
            problem=problem,
            status_without_action=EventStatus.FAILED,
        )

    @classmethod
    def unknown_type(
        cls, platform: str, body: bytes, type_: str, key: str | None = None
    ) -> "InboundEvent":
        """An authentic event of a type we do not handle: kept as `parked`."""
        return cls(
            platform=platform,
            key=key or digest_key(body),
            type=type_,
            raw_body=body,
            metric_type="other",
            problem=f"unknown event type {type_!r}",
        )

    @property
    def room_name(self) -> str | None:
        return self.actions[0].room_name if self.actions else None


def digest_key(body: bytes) -> str:
    """The event key of a body whose sender gave it no id."""
    return "sha256:" + hashlib.sha256(body).hexdigest()
