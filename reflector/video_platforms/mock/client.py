"""The mock platform: real links, real signatures, no remote service."""

import asyncio
import secrets
import uuid
from datetime import datetime
from pathlib import Path

from reflector.db import Meeting, Room
from reflector.video_platforms.base import (
    Capability,
    JoinUser,
    MeetingData,
    Role,
    SessionData,
    VideoPlatformClient,
)
from reflector.video_platforms.mock import presence
from reflector.video_platforms.mock.events import PLATFORM
from reflector.video_platforms.mock.settings import MockSettings
from reflector.video_platforms.platform_settings import active_secrets
from reflector.video_platforms.signatures import verify_t_v1


class MockClient(VideoPlatformClient[MockSettings]):
    PLATFORM_NAME = PLATFORM
    CAPABILITIES = frozenset({Capability.SESSIONS_API, Capability.LOGO})

    async def create_meeting(
        self, room_name_prefix: str, end_date: datetime, room: Room
    ) -> MeetingData:
        room_name = f"{room_name_prefix}-{secrets.token_hex(4)}"
        base = str(self.settings.base_url).rstrip("/")
        room_url = f"{base}/{room_name}"
        return MeetingData(
            meeting_id=str(uuid.uuid4()),
            room_name=room_name,
            room_url=room_url,
            host_room_url=f"{room_url}?roomKey={secrets.token_urlsafe(24)}",
            platform=PLATFORM,
            extra_data={"end_date": end_date.isoformat()},
        )

    async def get_room_sessions(self, room_name: str) -> list[SessionData]:
        async with self.context.db.read() as session:
            return await presence.sessions(session, room_name)

    async def delete_room(self, room_name: str) -> bool:
        return True

    async def upload_logo(self, room_name: str, logo_path: str) -> bool:
        return await asyncio.to_thread(Path(logo_path).is_file)

    def verify_webhook_signature(
        self, body: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        now = self.context.clock()
        secrets = active_secrets(
            self.settings.webhook_secret,
            self.settings.webhook_secret_previous,
            self.settings.webhook_secret_previous_valid_until,
            now,
        )
        return verify_t_v1(body, signature, secrets, now.timestamp())

    def join_url(self, meeting: Meeting, user: JoinUser, role: Role) -> str:
        return meeting.host_room_url if role is Role.HOST else meeting.room_url
