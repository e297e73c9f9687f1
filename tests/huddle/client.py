"""Huddle: a room per meeting on its REST API, plain links, signed participant events and a
sessions API. Built from the platform interface alone."""

import contextlib
import secrets
from datetime import datetime
from urllib.parse import quote

from pydantic import AwareDatetime, BaseModel

from reflector.db import Meeting, Room
from reflector.inbox.actions import InboundEvent
from reflector.video_platforms.base import (
    Capability,
    JoinUser,
    MeetingData,
    PlatformContext,
    Role,
    SessionData,
    VideoPlatformClient,
)
from reflector.video_platforms.errors import RoomNotFound
from reflector.video_platforms.platform_settings import encoded
from reflector.video_platforms.signatures import verify_t_v1
from reflector.video_platforms.vendor_api import VendorAPI
from tests.huddle import events
from tests.huddle.settings import HuddleSettings


class _Room(BaseModel):
    name: str
    url: str
    host_url: str


class _Person(BaseModel):
    id: str
    name: str | None = None
    joined_at: AwareDatetime
    left_at: AwareDatetime | None = None


class _People(BaseModel):
    people: list[_Person]


class HuddleClient(VideoPlatformClient[HuddleSettings]):
    CAPABILITIES = frozenset({Capability.SESSIONS_API})
    SIGNATURE_HEADER = "X-Huddle-Signature"

    def __init__(self, slug: str, settings: HuddleSettings, context: PlatformContext) -> None:
        super().__init__(slug, settings, context)
        self.api = VendorAPI(slug, str(settings.api_url), settings.api_key, context.http_transport)
        self.events = events.format_of(slug)

    async def aclose(self) -> None:
        await self.api.aclose()

    async def create_meeting(self, room: Room, end_date: datetime) -> MeetingData:
        name = f"{room.name}-{secrets.token_hex(4)}"
        body = {"name": name, "expires_at": end_date.isoformat()}
        created = await self.api.read(_Room, "POST", "/rooms", json=body)
        return MeetingData(
            meeting_id=created.name,
            room_name=created.name,
            room_url=created.url,
            host_room_url=created.host_url,
        )

    async def join_url(self, meeting: Meeting, user: JoinUser, role: Role) -> str:
        return meeting.host_room_url if role is Role.HOST else meeting.room_url

    async def delete_meeting(self, meeting: Meeting) -> None:
        with contextlib.suppress(RoomNotFound):
            await self.api.request("DELETE", f"/rooms/{quote(meeting.platform_room_name)}")

    async def get_room_sessions(self, room_name: str) -> list[SessionData]:
        found = await self.api.read(_People, "GET", f"/rooms/{quote(room_name)}/people")
        return [
            SessionData(
                participant_id=person.id,
                user_name=person.name,
                joined_at=person.joined_at,
                left_at=person.left_at,
            )
            for person in found.people
        ]

    def verify_webhook_signature(
        self, body: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        now = self.context.clock()
        keys = encoded(self.settings.webhook_secrets(now))
        return verify_t_v1(body, signature, keys, now.timestamp())

    def translate(self, body: bytes) -> InboundEvent:
        return events.translate(self.events, body)
