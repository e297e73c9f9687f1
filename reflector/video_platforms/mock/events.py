"""The mock platform's webhook format (README, "Platform: mock"), parsed into the inbox's events.

A track of `recording.ready` is fetched from its `url`: https from `MOCK_RECORDING_HOSTS`,
or `s3://<bucket>/<key>`, an object in one of `MOCK_RECORDING_BUCKETS`.
"""

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import unquote, urlsplit

from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter, field_validator

from reflector.inbox.actions import (
    Action,
    InboundEvent,
    MeetingEnded,
    ParticipantJoined,
    ParticipantLeft,
    RecordingReady,
)
from reflector.infra.validation import SafeStr, UrlStr
from reflector.recordings.tracks import (
    MAX_KEY_LENGTH,
    MAX_OFFSET_SECONDS,
    BucketSource,
    Source,
    Track,
    UrlSource,
)
from reflector.video_platforms.event_format import EventFormat, EventId

PLATFORM = "mock"
Name = Annotated[SafeStr, Field(min_length=1)]


class _RoomData(BaseModel):
    room_name: Name


class _ParticipantData(_RoomData):
    participant_id: Name
    user_name: SafeStr | None = None
    user_id: SafeStr | None = None
    is_recorder: bool = False


class _Track(BaseModel):
    url: Annotated[UrlStr, Field(min_length=1)]
    participant_id: SafeStr | None = None
    user_name: SafeStr | None = None
    offset_seconds: float = Field(default=0.0, ge=0, le=MAX_OFFSET_SECONDS)

    @field_validator("url")
    @classmethod
    def _bucket_url_names_an_object(cls, url: str) -> str:
        if url.startswith("s3://"):
            source = _source(url)
            assert isinstance(source, BucketSource)
            if not source.bucket or not source.key or len(source.key) > MAX_KEY_LENGTH:
                raise ValueError(f"s3:// URLs are s3://<bucket>/<key of 1 to {MAX_KEY_LENGTH}>")
        return url

    def track(self) -> Track:
        return announced_track(self.url, self.participant_id, self.user_name, self.offset_seconds)


class _RecordingData(_RoomData):
    recording_id: Name
    tracks: list[_Track] = Field(min_length=1, max_length=64)


class _Event(BaseModel):
    id: EventId
    created_at: AwareDatetime


class _Joined(_Event):
    type: Literal["participant.joined"]
    data: _ParticipantData


class _Left(_Event):
    type: Literal["participant.left"]
    data: _ParticipantData


class _Ended(_Event):
    type: Literal["meeting.ended"]
    data: _RoomData


class _RecordingReady(_Event):
    type: Literal["recording.ready"]
    data: _RecordingData


_Any = _Joined | _Left | _Ended | _RecordingReady
FORMAT = EventFormat[_Any](
    platform=PLATFORM,
    events=TypeAdapter(Annotated[_Any, Field(discriminator="type")]),
    known_types=frozenset(
        {"participant.joined", "participant.left", "meeting.ended", "recording.ready"}
    ),
)


def translate(body: bytes) -> InboundEvent:
    """An authentic body as an inbox event; bodies we cannot use are kept, not refused."""
    event = FORMAT.read(body)
    if isinstance(event, InboundEvent):
        return event
    at: datetime = event.created_at
    action: Action
    match event:
        case _Joined(data=data):
            action = ParticipantJoined(
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
        case _RecordingReady(data=data):
            tracks = tuple(track.track() for track in data.tracks)
            action = RecordingReady(data.room_name, data.recording_id, tracks, at)
    return InboundEvent(
        platform=PLATFORM,
        key=event.id,
        type=event.type,
        raw_body=body,
        metric_type=event.type,
        actions=(action,),
    )


def announced_track(
    url: str, participant_id: str | None, user_name: str | None, offset_seconds: float
) -> Track:
    return Track(
        source=_source(url),
        participant_id=participant_id,
        speaker=user_name,
        offset_seconds=offset_seconds,
    )


def _source(url: str) -> Source:
    """`s3://bucket/key` names a bucket object (the key URL-decoded); anything else a URL."""
    parts = urlsplit(url) if url.startswith("s3://") else None
    if parts is None:
        return UrlSource(url=url)
    key = unquote(parts.path.removeprefix("/"))
    return BucketSource.model_construct(bucket=parts.netloc, key=key)
