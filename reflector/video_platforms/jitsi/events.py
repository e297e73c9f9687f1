"""Prosody event sync payloads (docs/platforms/jitsi.md#event-sync), parsed into the inbox's events.

Prosody sends no event id, so the key is derived from what identifies the occurrence: the
room instance, the occupant's connection and its timestamps. A retried delivery carries the
same payload, hence the same key. Each stay of a connection in the main room or in one
breakout room is one participant session, so a meeting whose people are all in breakout
rooms is not empty.
"""

import hashlib
import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from reflector.inbox.actions import (
    Action,
    InboundEvent,
    MeetingEnded,
    ParticipantJoined,
    ParticipantLeft,
    RoomActive,
)
from reflector.infra.validation import SafeStr
from reflector.video_platforms.event_format import EventFormat

PLATFORM = "jitsi"
ROOM_CREATED = "muc-room-created"
ROOM_DESTROYED = "muc-room-destroyed"
OCCUPANT_JOINED = "muc-occupant-joined"
OCCUPANT_LEFT = "muc-occupant-left"
KNOWN_TYPES = frozenset({ROOM_CREATED, ROOM_DESTROYED, OCCUPANT_JOINED, OCCUPANT_LEFT})
_MAX_KEY = 255
# Prosody timestamps are os.time() seconds; anything beyond year 9999 is not a time.
UnixSeconds = Annotated[int, Field(ge=0, le=253_402_300_799)]
Text = SafeStr
_TENANT_PREFIX = re.compile(r"^\[[^\]]*\]")


class Occupant(BaseModel):
    """An occupant as event sync reports it; user fields are absent for guests and Jibri."""

    occupant_jid: Annotated[Text, Field(min_length=1)]
    joined_at: UnixSeconds
    left_at: UnixSeconds | None = None
    id: Text | None = None
    name: Text | None = None
    email: Text | None = None


class _Room(BaseModel):
    room_name: Annotated[Text, Field(min_length=1)]
    room_jid: Annotated[Text, Field(min_length=1)]
    is_breakout: bool = False
    breakout_room_id: Text | None = None


class _RoomCreated(_Room):
    event_name: Literal["muc-room-created"]
    created_at: UnixSeconds


class _RoomDestroyed(_Room):
    event_name: Literal["muc-room-destroyed"]
    created_at: UnixSeconds
    destroyed_at: UnixSeconds
    # An empty Lua table is encoded as [] (docs/platforms/jitsi.md#event-sync), so this is always a
    # list.
    all_occupants: list[Occupant] = Field(default_factory=list, max_length=10_000)


class _OccupantJoined(_Room):
    event_name: Literal["muc-occupant-joined"]
    occupant: Occupant


class _OccupantLeft(_Room):
    event_name: Literal["muc-occupant-left"]
    occupant: Occupant


_Any = _RoomCreated | _RoomDestroyed | _OccupantJoined | _OccupantLeft
# Prosody sends no event id: keys are derived below, unusable bodies keyed by digest.
FORMAT = EventFormat[_Any](
    platform=PLATFORM,
    events=TypeAdapter(Annotated[_Any, Field(discriminator="event_name")]),
    known_types=KNOWN_TYPES,
    type_field="event_name",
    id_field=None,
)


class Translator:
    """Turns event bodies into inbox events; service accounts on `hidden_domain` are recorders."""

    def __init__(self, hidden_domain: str) -> None:
        self._hidden_domain = hidden_domain.lower()

    def __call__(self, body: bytes) -> InboundEvent:
        event = FORMAT.read(body)
        if isinstance(event, InboundEvent):
            return event
        room = meeting_room_name(event.room_name)
        where = _where(event)
        match event:
            case _RoomCreated():
                key = _key("created", where, event.created_at)
                actions: tuple[Action, ...] = (RoomActive(room, _at(event.created_at)),)
            case _RoomDestroyed():
                key = _key("destroyed", where, event.created_at, event.destroyed_at)
                stays = [self._stay(room, where, occupant) for occupant in event.all_occupants]
                actions = tuple(action for stay in stays for action in stay)
                if not event.is_breakout:
                    actions += (MeetingEnded(room, _at(event.destroyed_at)),)
                actions = actions or (RoomActive(room, _at(event.destroyed_at)),)
            case _OccupantJoined(occupant=occupant):
                key = _key("joined", where, occupant.occupant_jid, occupant.joined_at)
                actions = self._stay(room, where, occupant.model_copy(update={"left_at": None}))
            case _OccupantLeft(occupant=occupant):
                key = _key(
                    "left", where, occupant.occupant_jid, occupant.joined_at, occupant.left_at
                )
                actions = self._stay(room, where, occupant)
        return InboundEvent(
            platform=PLATFORM,
            key=key,
            type=event.event_name,
            raw_body=body,
            metric_type=event.event_name,
            actions=actions,
        )

    def _is_recorder(self, occupant: Occupant) -> bool:
        """Jibri's recorder and transcribers log in on the hidden domain
        (docs/platforms/jitsi.md#event-sync)."""
        bare = occupant.occupant_jid.split("/", 1)[0]
        return bare.rpartition("@")[2].lower() == self._hidden_domain

    def _stay(self, room: str, where: str, occupant: Occupant) -> tuple[Action, ...]:
        """What an occupant record says: it joined, and, if it has a `left_at`, it left."""
        participant = _participant_id(where, occupant)
        recorder = self._is_recorder(occupant)
        joined = ParticipantJoined(
            room_name=room,
            participant_id=participant,
            at=_at(occupant.joined_at),
            user_id=occupant.id,
            display_name=occupant.name,
            is_recorder=recorder,
        )
        if occupant.left_at is None:
            return (joined,)
        left = ParticipantLeft(room, participant, _at(occupant.left_at), is_recorder=recorder)
        return joined, left


def meeting_room_name(room_name: str) -> str:
    """Our room name from an event's: lowercase, without a `[tenant]` prefix
    (docs/platforms/jitsi.md#room-names)."""
    return _TENANT_PREFIX.sub("", room_name).lower()


def _where(event: _Room) -> str:
    """The MUC the event happened in: the main room, or one of its breakout rooms."""
    if event.is_breakout:
        return f"{event.room_jid.lower()}/breakout/{event.breakout_room_id or '?'}"
    return event.room_jid.lower()


def _participant_id(where: str, occupant: Occupant) -> str:
    # `occupant_jid` is one connection; it may come back to the same MUC, hence `joined_at`.
    return _bounded(f"{occupant.joined_at}:{where}:{occupant.occupant_jid}")


def _key(kind: str, *parts: object) -> str:
    return _bounded(":".join([kind, *map(str, parts)]))


def _bounded(text: str) -> str:
    """The text itself when it fits a key column, else a digest of it."""
    if len(text) <= _MAX_KEY:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
