"""The mock platform: real links, real signatures, no remote service.

Its record of who is in a room is the events it has delivered to us, which makes its
sessions API answer from the same source as a real platform's presence endpoint would.
"""

import asyncio
import secrets
import uuid
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from reflector.db import EventStatus, Meeting, Room, WebhookEvent
from reflector.inbox import ParticipantJoined, ParticipantLeft
from reflector.video_platforms.base import (
    Capability,
    JoinUser,
    MeetingData,
    Role,
    SessionData,
    VideoPlatformClient,
)
from reflector.video_platforms.config import active_secrets
from reflector.video_platforms.mock.events import PLATFORM, translate
from reflector.video_platforms.mock.settings import MockSettings
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
        query = (
            select(WebhookEvent.raw_body)
            .join(Meeting, Meeting.id == WebhookEvent.meeting_id)
            .where(
                Meeting.platform == PLATFORM,
                Meeting.platform_room_name == room_name,
                WebhookEvent.status == EventStatus.PROCESSED,
            )
        )
        async with self.context.db.read() as session:
            bodies = (await session.scalars(query)).all()
        joined: dict[str, ParticipantJoined] = {}
        left: dict[str, datetime] = {}
        for body in bodies:
            match translate(body).action:
                case ParticipantJoined() as event:
                    earlier = joined.get(event.participant_id)
                    if earlier is None or event.at < earlier.at:
                        joined[event.participant_id] = event
                case ParticipantLeft() as event:
                    left[event.participant_id] = max(
                        event.at, left.get(event.participant_id, event.at)
                    )
        return [
            SessionData(
                participant_id=pid,
                user_id=event.user_id,
                user_name=event.display_name,
                joined_at=event.at,
                left_at=left.get(pid),
                is_recorder=event.is_recorder,
            )
            for pid, event in sorted(joined.items(), key=lambda item: item[1].at)
        ]

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
