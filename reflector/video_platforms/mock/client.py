"""The mock platform: real links, real signatures, and, when `MOCK_API_URL` names one, its
own REST API (`mock/vendor.py`) for rooms, meeting tokens, logos and recordings."""

import asyncio
import contextlib
import secrets
import uuid
from datetime import datetime
from urllib.parse import quote

from pydantic import BaseModel

from reflector.db import Meeting, Room
from reflector.inbox.actions import InboundEvent, ParticipantJoined, ParticipantLeft
from reflector.video_platforms.base import (
    Capability,
    JoinUser,
    MeetingData,
    PlatformContext,
    Role,
    SessionData,
    VideoPlatformClient,
)
from reflector.video_platforms.errors import PlatformNotConfigured, RoomNotFound
from reflector.video_platforms.logos import logo_part
from reflector.video_platforms.mock import events
from reflector.video_platforms.mock.events import PLATFORM
from reflector.video_platforms.mock.rooms import MockRooms
from reflector.video_platforms.mock.settings import MockSettings
from reflector.video_platforms.platform_settings import VideoPlatformConfig, encoded
from reflector.video_platforms.signatures import verify_t_v1
from reflector.video_platforms.vendor_api import VendorAPI

_WITHOUT_API = frozenset(
    {Capability.SESSIONS_API, Capability.CLOUD_RECORDING, Capability.RAW_TRACKS}
)
_WITH_API = _WITHOUT_API | {Capability.PER_USER_TOKENS, Capability.LOGO}


class _Token(BaseModel):
    token: str


class FinishedTrack(BaseModel):
    url: str
    participant_id: str | None = None
    user_name: str | None = None
    offset_seconds: float = 0.0


class FinishedRecording(BaseModel):
    """A recording as the platform's API lists it (other fields are ignored)."""

    id: str
    room_name: str
    tracks: list[FinishedTrack]


class _Recordings(BaseModel):
    data: list[FinishedRecording]


class MockClient(VideoPlatformClient[MockSettings]):
    CAPABILITIES = _WITH_API
    SIGNATURE_HEADER = "X-Mock-Signature"

    def __init__(self, slug: str, settings: MockSettings, context: PlatformContext) -> None:
        super().__init__(slug, settings, context)
        self.rooms = MockRooms(settings.state_dir or context.data_dir / slug)
        self._api = (
            VendorAPI(PLATFORM, str(settings.api_url), settings.api_key, context.http_transport)
            if settings.api_url
            else None
        )

    @classmethod
    def capabilities_with(cls, settings: VideoPlatformConfig) -> frozenset[Capability]:
        """Tokens and logos need the platform's API; sessions and recordings do not."""
        if isinstance(settings, MockSettings) and settings.api_url is None:
            return _WITHOUT_API
        return cls.CAPABILITIES

    @property
    def api(self) -> VendorAPI:
        if self._api is None:
            raise PlatformNotConfigured(PLATFORM, f"{self.settings.env_name('api_url')} is not set")
        return self._api

    async def aclose(self) -> None:
        if self._api is not None:
            await self._api.aclose()

    async def create_meeting(self, room: Room, end_date: datetime) -> MeetingData:
        room_name = f"{room.name}-{secrets.token_hex(4)}"
        room_url = f"{str(self.settings.base_url).rstrip('/')}/{room_name}"
        if self._api is not None:
            exp = int(end_date.timestamp())
            await self._api.request("POST", "/rooms", json={"name": room_name, "exp": exp})
            # Host powers travel in the token each user gets from `join_url`.
            host_room_url = room_url
        else:
            host_room_url = f"{room_url}?roomKey={secrets.token_urlsafe(24)}"
        await asyncio.to_thread(self.rooms.open, room_name, end_date, self.context.clock())
        return MeetingData(
            meeting_id=str(uuid.uuid4()),
            room_name=room_name,
            room_url=room_url,
            host_room_url=host_room_url,
            extra_data={"end_date": end_date.isoformat()},
        )

    async def get_room_sessions(self, room_name: str) -> list[SessionData]:
        return await asyncio.to_thread(self.rooms.sessions, room_name)

    async def delete_meeting(self, meeting: Meeting) -> None:
        await asyncio.to_thread(self.rooms.close, meeting.platform_room_name)
        if self._api is None:
            return
        path = f"/rooms/{quote(meeting.platform_room_name, safe='')}"
        with contextlib.suppress(RoomNotFound):  # already gone counts as deleted
            await self._api.request("DELETE", path)

    async def upload_logo(self, room_name: str, logo_path: str) -> bool:
        image = await logo_part(logo_path)
        if image is None:
            return False
        path = f"/rooms/{quote(room_name, safe='')}/logo"
        await self.api.request("PUT", path, files={"image": image})
        return True

    def verify_webhook_signature(
        self, body: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        now = self.context.clock()
        return verify_t_v1(
            body, signature, encoded(self.settings.webhook_secrets(now)), now.timestamp()
        )

    def translate(self, body: bytes) -> InboundEvent:
        return events.translate(body)

    async def note(self, event: InboundEvent) -> None:
        """Remember who came and went in an event the platform sent."""
        for action in event.actions:
            if isinstance(action, ParticipantJoined | ParticipantLeft):
                await asyncio.to_thread(self.rooms.observe, action)

    async def join_url(self, meeting: Meeting, user: JoinUser, role: Role) -> str:
        if self._api is None:
            return meeting.host_room_url if role is Role.HOST else meeting.room_url
        claims = {
            "room_name": meeting.platform_room_name,
            "user_id": user.id,
            "user_name": user.id,
            "is_owner": role is Role.HOST,
        }
        token = (await self._api.read(_Token, "POST", "/meeting-tokens", json=claims)).token
        return f"{meeting.room_url}?t={quote(token, safe='')}"

    async def finished_recordings(self) -> list[FinishedRecording]:
        """The recordings the platform reports finished, newest first."""
        return (await self.api.read(_Recordings, "GET", "/recordings")).data
