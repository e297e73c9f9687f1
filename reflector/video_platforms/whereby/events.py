"""Whereby's webhook events (docs/platforms/whereby.md#webhook-events) and its bucket's object keys
(docs/platforms/whereby.md#cloud-recordings-in-our-bucket), parsed into the inbox's events.

Every authentic body is acknowledged, whatever it holds: Whereby does not retry a 4xx, so a refusal
would lose the event (docs/platforms/whereby.md#webhook-retries). What we cannot use is kept, not
refused."""

import re
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter

from reflector.inbox.actions import (
    Action,
    CallEnded,
    InboundEvent,
    ParticipantJoined,
    ParticipantLeft,
    RecordingReady,
    RoomActive,
    digest_key,
)
from reflector.infra.validation import SafeStr
from reflector.recordings.tracks import MAX_KEY_LENGTH, BucketSource, Track
from reflector.video_platforms.event_format import EventFormat

PLATFORM = "whereby"
Name = Annotated[SafeStr, Field(min_length=1)]
RECORDER_ROLE = "recorder"
_MAX_ID = 255
RECORDING_EXTENSIONS = (".mp4", ".mkv")
# `<room name without its slash>-<YYYY-MM-DDTHH:MM:SSZ>.<ext>`; the start is the first such
# time after a "-" (docs/platforms/whereby.md#cloud-recordings-in-our-bucket). Fractions of a second
# are allowed, in case they ever appear.
_RECORDING_FILE = re.compile(
    r"(?P<room>.+?)-(?P<start>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z)\.(?:mp4|mkv)"
)


class _Client(BaseModel):
    roomName: Name
    participantId: Name
    roleName: SafeStr | None = None
    displayName: SafeStr | None = None
    externalId: SafeStr | None = None


class _Room(BaseModel):
    roomName: Name


class _Recording(BaseModel):
    roomName: Name
    recordingId: SafeStr | None = None
    filename: Annotated[str, Field(min_length=1, max_length=MAX_KEY_LENGTH // 2)]


class _Event(BaseModel):
    id: Name
    createdAt: AwareDatetime


class _Joined(_Event):
    type: Literal["room.client.joined"]
    data: _Client


class _Left(_Event):
    type: Literal["room.client.left"]
    data: _Client


class _Knock(_Event):
    type: Literal["room.client.knocked", "room.client.knockCancelled"]


class _SessionStarted(_Event):
    type: Literal["room.session.started"]
    data: _Room


class _SessionEnded(_Event):
    type: Literal["room.session.ended"]
    data: _Room


class _Finished(_Event):
    type: Literal["recording.finished"]
    data: _Recording


_Any = _Joined | _Left | _Knock | _SessionStarted | _SessionEnded | _Finished
FORMAT = EventFormat[_Any](
    platform=PLATFORM,
    events=TypeAdapter(Annotated[_Any, Field(discriminator="type")]),
    known_types=frozenset(
        {
            "room.client.joined",
            "room.client.left",
            "room.client.knocked",
            "room.client.knockCancelled",
            "room.session.started",
            "room.session.ended",
            "recording.finished",
        }
    ),
)


class Translator:
    """Bodies to inbox events. Recordings are objects in `bucket`, under `folder`
    (AWS_WHEREBY_S3_BUCKET); their key is the recording's id, whichever way it is found."""

    def __init__(self, bucket: str | None, folder: str) -> None:
        self._bucket = bucket
        self._folder = folder

    def __call__(self, body: bytes) -> InboundEvent:
        event = FORMAT.read(body)
        if isinstance(event, InboundEvent):
            return event
        actions: tuple[Action, ...] = ()
        problem = "nothing to apply"
        match event:
            case _Joined(data=client):
                actions = (_joined(client, event.createdAt),)
            case _Left(data=client):
                left = ParticipantLeft(
                    client.roomName,
                    client.participantId,
                    event.createdAt,
                    is_recorder=client.roleName == RECORDER_ROLE,
                )
                actions = (left,)
            case _Knock():
                problem = "a knock changes nothing here"
            case _SessionStarted(data=room):
                actions = (RoomActive(room.roomName, event.createdAt),)
            case _SessionEnded(data=room):
                actions = (CallEnded(room.roomName, event.createdAt),)
            case _Finished(data=finished):
                if self._bucket is None:
                    problem = "AWS_WHEREBY_S3_BUCKET is not set: the recording cannot be read"
                else:
                    key = self._folder + finished.filename
                    actions = (self.recording(finished.roomName, key, event.createdAt),)
        return InboundEvent(
            platform=PLATFORM,
            key=event.id,
            type=event.type,
            raw_body=body,
            metric_type=event.type,
            actions=actions,
            problem=None if actions else problem,
        )

    def recording(self, room_name: str, key: str, at: datetime) -> RecordingReady:
        """The recording in object `key` of our bucket, of room `room_name` (with its slash)."""
        track = Track(source=BucketSource(bucket=self._bucket or "-", key=key))
        return RecordingReady(room_name, _within_255(key), (track,), at)

    def object_created(self, key: str, body: bytes) -> InboundEvent | None:
        """An object Whereby wrote to our bucket (an S3 notification, or a rescan finding it);
        None for objects that are not recordings. Keyed by the object, so that every way
        it is found is one event."""
        name = PurePosixPath(key).name
        if not name.endswith(RECORDING_EXTENSIONS) or len(key) > MAX_KEY_LENGTH:
            return None
        event_key = _within_255(f"s3:{key}")
        found = _RECORDING_FILE.fullmatch(name)
        if found is None:
            problem = f"object {name[:100]!r} is not named <room>-<start time>.mp4"
            return InboundEvent.unusable(
                PLATFORM, body, "s3.object-created", "s3.object-created", problem, event_key
            )
        started = datetime.strptime(found["start"][:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        return InboundEvent(
            platform=PLATFORM,
            key=event_key,
            type="s3.object-created",
            raw_body=body,
            metric_type="s3.object-created",
            actions=(self.recording("/" + found["room"], key, started),),
        )


def _within_255(key: str) -> str:
    return key if len(key) <= _MAX_ID else digest_key(key.encode())


def _joined(client: _Client, at: datetime) -> ParticipantJoined:
    return ParticipantJoined(
        room_name=client.roomName,
        participant_id=client.participantId,
        at=at,
        user_id=client.externalId,
        display_name=client.displayName,
        is_recorder=client.roleName == RECORDER_ROLE,
    )
