"""Daily's REST API (docs/platforms/daily.md), typed: the requests we send, the answers we read.

Answers are read liberally (unknown fields ignored, optional ones optional), requests are
built exactly. Transport, auth, 429 backoff and error translation are `VendorAPI`'s.
"""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, Literal
from urllib.parse import quote

from pydantic import AliasChoices, BaseModel, ConfigDict, Field

from reflector.video_platforms.errors import PlatformRequestError
from reflector.video_platforms.vendor_api import VendorAPI

PAGE_SIZE = 100
WEBHOOK_EVENTS = (
    "participant.joined",
    "participant.left",
    "meeting.ended",
    "recording.started",
    "recording.ready-to-download",
    "recording.error",
)


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class RecordingsBucket(BaseModel):
    bucket_name: str
    bucket_region: str
    assume_role_arn: str
    allow_api_access: bool = True


class RoomProperties(BaseModel):
    exp: int
    eject_at_room_exp: bool = True
    enable_knocking: bool = True
    enable_recording: Literal["cloud", "raw-tracks", "local"] | None = None
    recordings_bucket: RecordingsBucket | None = None


class RoomRequest(BaseModel):
    name: str
    privacy: Literal["private", "public"] = "private"
    properties: RoomProperties


class Room(_Answer):
    id: str | None = None
    name: str
    url: str


class TokenProperties(BaseModel):
    room_name: str
    user_id: str = Field(max_length=36)
    user_name: str | None = None
    is_owner: bool
    exp: int
    eject_at_token_exp: bool = True


class Token(_Answer):
    token: str


class Presence(_Answer):
    """`GET /rooms/:name/presence` entries: camelCase keys (docs/platforms/daily.md#presence)."""

    id: str
    user_id: str | None = Field(default=None, alias="userId")
    user_name: str | None = Field(default=None, alias="userName")
    join_time: datetime = Field(alias="joinTime")


class _PresenceList(_Answer):
    data: list[Presence]


class RecordingTrack(_Answer):
    type: str
    # `s3Key` inside tracks; the Ruby client spells it `s3key` (docs/platforms/daily.md#recordings).
    s3_key: str = Field(validation_alias=AliasChoices("s3Key", "s3key", "s3_key"))
    size: int | None = None


class Recording(_Answer):
    id: str
    room_name: str
    start_ts: int
    status: str
    duration: int | None = None
    s3_key: str | None = Field(default=None, validation_alias=AliasChoices("s3key", "s3_key"))
    tracks: list[RecordingTrack] | None = None


class _RecordingPage(_Answer):
    data: list[Recording]


class AccessLink(_Answer):
    download_link: str


class Webhook(_Answer):
    uuid: str
    url: str
    state: str
    failed_count: int = Field(default=0, alias="failedCount")
    event_types: list[str] = Field(default_factory=list, alias="eventTypes")
    last_moment_pushed: str | None = Field(default=None, alias="lastMomentPushed")


class DailyAPI:
    """The endpoints Reflector uses, over one `VendorAPI`."""

    def __init__(self, http: VendorAPI) -> None:
        self.http = http

    async def create_room(self, request: RoomRequest) -> Room:
        body = request.model_dump(mode="json", exclude_none=True)
        return await self.http.read(Room, "POST", "/rooms", json=body)

    async def get_room(self, name: str) -> Room:
        return await self.http.read(Room, "GET", f"/rooms/{_segment(name)}")

    async def delete_room(self, name: str) -> None:
        await self.http.request("DELETE", f"/rooms/{_segment(name)}")

    async def create_token(self, properties: TokenProperties) -> str:
        body = {"properties": properties.model_dump(mode="json", exclude_none=True)}
        return (await self.http.read(Token, "POST", "/meeting-tokens", json=body)).token

    async def presence(self, room: str) -> list[Presence]:
        path = f"/rooms/{_segment(room)}/presence"
        return (await self.http.read(_PresenceList, "GET", path)).data

    async def start_recording(self, room: str, body: dict[str, Any]) -> None:
        await self.http.request("POST", f"/rooms/{_segment(room)}/recordings/start", json=body)

    async def recordings(self) -> AsyncIterator[Recording]:
        """Every recording, newest first, a page of 100 at a time
        (docs/platforms/daily.md#recordings)."""
        params: dict[str, str | int] = {"limit": PAGE_SIZE}
        while True:
            page = (await self.http.read(_RecordingPage, "GET", "/recordings", params=params)).data
            for recording in page:
                yield recording
            if len(page) < PAGE_SIZE:
                return
            params["starting_after"] = page[-1].id

    async def access_link(self, recording_id: str) -> str:
        path = f"/recordings/{_segment(recording_id)}/access-link"
        link = (await self.http.read(AccessLink, "GET", path)).download_link
        # On some errors the "link" is an error message (docs/platforms/daily.md#recordings).
        if not link.startswith(("https://", "http://")):
            raise PlatformRequestError(self.http.platform, f"no download link: {link[:200]}")
        return link

    async def webhooks(self) -> list[Webhook]:
        response = await self.http.request("GET", "/webhooks")
        return [Webhook.model_validate(item) for item in response.json()]

    async def create_webhook(self, url: str, hmac: str) -> Webhook:
        body = {
            "url": url,
            "eventTypes": list(WEBHOOK_EVENTS),
            "hmac": hmac,
            "retryType": "circuit-breaker",
        }
        return await self.http.read(Webhook, "POST", "/webhooks", json=body)

    async def reactivate_webhook(self, webhook: Webhook) -> Webhook:
        """`POST /webhooks/:uuid` with the same URL: Daily probes it again, then resumes."""
        path = f"/webhooks/{_segment(webhook.uuid)}"
        return await self.http.read(Webhook, "POST", path, json={"url": webhook.url})


def _segment(value: str) -> str:
    return quote(value, safe="")
