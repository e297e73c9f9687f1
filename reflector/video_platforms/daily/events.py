"""Daily's webhook events (docs/platforms/daily.md#webhook-events), parsed into the inbox's events.

Every authentic body is answered 200, whatever it holds: Daily's circuit breaker disables the
webhook after three failed deliveries (docs/platforms/daily.md#webhook-delivery). What we cannot use
is kept, not refused."""

import re
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import Annotated, Literal

from pydantic import BaseModel, Field, TypeAdapter

from reflector.inbox.actions import (
    Action,
    InboundEvent,
    MeetingEnded,
    ParticipantJoined,
    ParticipantLeft,
    RecordingFailed,
    RecordingReady,
    RoomActive,
    digest_key,
)
from reflector.infra.validation import SafeStr
from reflector.recordings.tracks import BucketSource, PlatformLink, Track
from reflector.video_platforms.event_format import EventFormat

PLATFORM = "daily"
_MAX_KEY = 255
Name = Annotated[SafeStr, Field(min_length=1)]
# Payload times are Unix seconds, sometimes with a fraction
# (docs/platforms/daily.md#webhook-events).
Seconds = Annotated[float, Field(ge=0, le=253_402_300_799)]
# `<recording start ms>-<participant session id>-cam-audio-<track start ms>`
# (docs/platforms/daily.md#recordings).
_AUDIO_TRACK = re.compile(
    r"(?P<recording>\d{10,16})-(?P<session>.+)-cam-audio-(?P<start>\d{10,16})"
)


class _Participant(BaseModel):
    room: Name
    session_id: Name
    joined_at: Seconds
    user_id: SafeStr | None = None
    user_name: SafeStr | None = None
    duration: Seconds | None = None


class _Meeting(BaseModel):
    room: Name
    start_ts: Seconds | None = None
    end_ts: Seconds | None = None


class _Track(BaseModel):
    type: SafeStr
    s3Key: Annotated[str, Field(min_length=1, max_length=1024)]


class _Ready(BaseModel):
    type: SafeStr
    recording_id: Name
    room_name: Name
    start_ts: Seconds
    s3_key: Annotated[str, Field(max_length=1024)] | None = None
    tracks: list[_Track] | None = None


class _Error(BaseModel):
    room_name: Name
    error_msg: Annotated[str, Field(max_length=2000)] = "recording error"
    instance_id: SafeStr | None = None
    timestamp: SafeStr | int | float | None = None


class _Event(BaseModel):
    id: Name
    event_ts: Seconds


class _Joined(_Event):
    type: Literal["participant.joined"]
    payload: _Participant


class _Left(_Event):
    type: Literal["participant.left"]
    payload: _Participant


class _Started(_Event):
    type: Literal["meeting.started"]
    payload: _Meeting


class _Ended(_Event):
    type: Literal["meeting.ended"]
    payload: _Meeting


class _RecordingStarted(_Event):
    type: Literal["recording.started"]


class _RecordingReady(_Event):
    type: Literal["recording.ready-to-download"]
    payload: _Ready


class _RecordingError(_Event):
    type: Literal["recording.error"]
    payload: _Error


_Any = _Joined | _Left | _Started | _Ended | _RecordingStarted | _RecordingReady | _RecordingError
FORMAT = EventFormat[_Any](
    platform=PLATFORM,
    events=TypeAdapter(Annotated[_Any, Field(discriminator="type")]),
    known_types=frozenset(
        {
            "participant.joined",
            "participant.left",
            "meeting.started",
            "meeting.ended",
            "recording.started",
            "recording.ready-to-download",
            "recording.error",
        }
    ),
)


class Translator:
    """Bodies to inbox events; raw tracks are read from `bucket` (AWS_DAILY_S3_BUCKET)."""

    def __init__(self, bucket: str | None) -> None:
        self._bucket = bucket

    def __call__(self, body: bytes) -> InboundEvent:
        event = FORMAT.read(body)
        if isinstance(event, InboundEvent):
            return event
        key = event.id
        actions: tuple[Action, ...]
        match event:
            case _Joined(payload=seen):
                # Duplicates may carry other ids: a session joins once
                # (docs/platforms/daily.md#webhook-events).
                key = f"participant.joined:{seen.room}:{seen.session_id}"
                actions = (_joined(seen),)
            case _Left(payload=seen):
                key = f"participant.left:{seen.room}:{seen.session_id}"
                left_at = seen.joined_at + seen.duration if seen.duration else event.event_ts
                left = ParticipantLeft(seen.room, seen.session_id, _at(left_at))
                actions = (_joined(seen), left)
            case _Started(payload=meeting):
                actions = (RoomActive(meeting.room, _at(meeting.start_ts or event.event_ts)),)
            case _Ended(payload=meeting):
                actions = (MeetingEnded(meeting.room, _at(meeting.end_ts or event.event_ts)),)
            case _RecordingStarted():
                # It names no room (docs/platforms/daily.md#webhook-events); the recording is
                # announced when it is ready.
                actions = ()
            case _RecordingReady(payload=ready):
                keys = [track.s3Key for track in ready.tracks or [] if track.type == "audio"]
                tracks = self.tracks(ready.recording_id, ready.s3_key, keys)
                at = _at(event.event_ts)
                actions = (RecordingReady(ready.room_name, ready.recording_id, tracks, at),)
            case _RecordingError(payload=error):
                failure = f"error:{error.instance_id or '-'}:{error.timestamp or event.event_ts}"
                failed = RecordingFailed(
                    error.room_name, failure, error.error_msg, _at(event.event_ts)
                )
                actions = (failed,)
        return InboundEvent(
            platform=PLATFORM,
            key=key if len(key) <= _MAX_KEY else digest_key(key.encode()),
            type=event.type,
            raw_body=body,
            metric_type=event.type,
            actions=actions,
            problem=None if actions else "no room named; nothing to apply",
        )

    def tracks(
        self, recording_id: str, s3_key: str | None, audio_keys: list[str]
    ) -> tuple[Track, ...]:
        """What to fetch: raw tracks' microphones from our bucket; a cloud recording from
        our bucket when it was written there, else by Daily's access link."""
        microphones = [key for key in audio_keys if "-cam-audio-" in key]
        if microphones:
            return tuple(_audio_track(self._bucket or "", key) for key in microphones)
        if self._bucket and s3_key:
            return (Track(source=BucketSource(bucket=self._bucket, key=s3_key)),)
        return (Track(source=PlatformLink(recording_id=recording_id)),)


def _joined(seen: _Participant) -> ParticipantJoined:
    return ParticipantJoined(
        room_name=seen.room,
        participant_id=seen.session_id,
        at=_at(seen.joined_at),
        user_id=seen.user_id,
        display_name=seen.user_name,
    )


def _audio_track(bucket: str, key: str) -> Track:
    """A raw audio track; its offset is its start minus the recording's, from the key."""
    found = _AUDIO_TRACK.fullmatch(PurePosixPath(key).name)
    offset = 0.0
    participant = None
    if found:
        offset = max(0.0, (int(found["start"]) - int(found["recording"])) / 1000)
        participant = found["session"][:255]
    return Track(
        source=BucketSource(bucket=bucket or "-", key=key),
        participant_id=participant,
        offset_seconds=min(offset, 24 * 3600.0),
    )


def _at(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)
