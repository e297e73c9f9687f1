"""Whereby's REST API (docs/platforms/whereby.md#rest-api), typed: the requests we send, the answers
we read. Answers are read liberally, requests built exactly; transport, auth, 429 backoff and error
translation are `VendorAPI`'s."""

import contextlib
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Literal, TypeVar
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field

from reflector.video_platforms.errors import RoomNotFound
from reflector.video_platforms.logos import ImagePart
from reflector.video_platforms.vendor_api import VendorAPI

PAGE_SIZE = 100
StartTrigger = Literal["none", "prompt", "automatic", "automatic-2nd-participant"]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")


class S3Destination(BaseModel):
    provider: Literal["s3"] = "s3"
    bucket: str
    accessKeyId: str
    accessKeySecret: str
    fileFormat: Literal["mp4", "mkv"] = "mp4"


class RecordingRequest(BaseModel):
    type: Literal["cloud"] = "cloud"
    destination: S3Destination
    startTrigger: StartTrigger


class MeetingRequest(BaseModel):
    endDate: str
    isLocked: bool
    roomMode: Literal["normal", "group"]
    roomNamePrefix: str = Field(max_length=39, pattern=r"^[a-z0-9-]*$")
    roomNamePattern: Literal["uuid"] = "uuid"
    fields: list[Literal["hostRoomUrl"]] = ["hostRoomUrl"]
    recording: RecordingRequest | None = None


class Meeting(_Answer):
    meetingId: str = Field(min_length=1)
    roomName: str = Field(min_length=2)
    roomUrl: str
    hostRoomUrl: str | None = None


class RoomSession(_Answer):
    roomSessionId: str
    startedAt: datetime
    endedAt: datetime | None = None


class Participant(_Answer):
    participantId: str
    displayName: str | None = None
    externalId: str | None = None
    roleName: str | None = None
    joinedAt: datetime
    leftAt: datetime | None = None


class _Page(_Answer):
    cursor: str | None = None


class _Sessions(_Page):
    results: list[RoomSession]


class _Participants(_Page):
    results: list[Participant]


PageT = TypeVar("PageT", bound=_Page)


class WherebyAPI:
    """The endpoints Reflector uses, over one `VendorAPI`."""

    def __init__(self, http: VendorAPI) -> None:
        self.http = http

    async def create_meeting(self, request: MeetingRequest) -> Meeting:
        body = request.model_dump(mode="json", exclude_none=True)
        return await self.http.read(Meeting, "POST", "/meetings", json=body)

    async def delete_meeting(self, meeting_id: str) -> None:
        """204 whether or not it still exists (docs/platforms/whereby.md#deleting-meetings); a 404
        counts as deleted too."""
        with contextlib.suppress(RoomNotFound):
            await self.http.request("DELETE", f"/meetings/{_segment(meeting_id)}")

    async def room_sessions(self, room_name: str) -> AsyncIterator[RoomSession]:
        """Every session of the room; `room_name` keeps its leading slash
        (docs/platforms/whereby.md#room-sessions-insights)."""
        query = {"roomName": room_name}
        async for page in self._pages(_Sessions, "/insights/room-sessions", query):
            for session in page.results:
                yield session

    async def participants(self, room_session_id: str) -> AsyncIterator[Participant]:
        query = {"roomSessionId": room_session_id}
        async for page in self._pages(_Participants, "/insights/participants", query):
            for participant in page.results:
                yield participant

    async def upload_logo(self, room_name: str, image: ImagePart) -> None:
        """Multipart with one file part named `image` (docs/platforms/whereby.md#room-logo); the
        path takes the room name without its leading slash, as Reflector's first version sent it."""
        files = {"image": image}
        await self.http.request(
            "PUT", f"/rooms/{_segment(room_name.lstrip('/'))}/theme/logo", files=files
        )

    async def _pages(
        self, model: type[PageT], path: str, query: dict[str, str]
    ) -> AsyncIterator[PageT]:
        """Pages of up to 100 until the cursor is null (docs/platforms/whereby.md#rest-api,
        docs/platforms/whereby.md#room-sessions-insights)."""
        params: dict[str, str | int] = {**query, "limit": PAGE_SIZE}
        while True:
            page = await self.http.read(model, "GET", path, params=params)
            yield page
            if not page.cursor:
                return
            params["cursor"] = page.cursor


def _segment(value: str) -> str:
    return quote(value, safe="")
