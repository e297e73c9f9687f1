"""The core's side of `video_platforms.port.MeetingDesk`: meetings a platform says are over
without an event to say so (Jitsi's room census)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from reflector.db import Database, EndReason, EventStatus, Meeting, MeetingState, WebhookEvent
from reflector.infra.clock import Clock
from reflector.rooms import lifecycle, participants


@dataclass(frozen=True)
class Desk:
    db: Database
    clock: Clock

    async def quiet_rooms(self, platform: str, since: datetime) -> list[str]:
        heard = (
            select(WebhookEvent.meeting_id)
            .where(WebhookEvent.platform == platform, WebhookEvent.status == EventStatus.PROCESSED)
            .group_by(WebhookEvent.meeting_id)
            .having(func.max(WebhookEvent.received_at) < since)
        )
        query = select(Meeting.platform_room_name).where(
            Meeting.platform == platform,
            Meeting.state == MeetingState.ACTIVE,
            Meeting.id.in_(heard),
        )
        async with self.db.read() as session:
            return list((await session.scalars(query)).all())

    async def room_gone(self, platform: str, room_name: str) -> bool:
        async with self.db.write() as session:
            active = await session.scalars(
                select(Meeting).where(
                    Meeting.platform == platform,
                    Meeting.platform_room_name == room_name,
                    Meeting.state == MeetingState.ACTIVE,
                )
            )
            ended = False
            for meeting in active.all():
                now = self.clock()
                if await lifecycle.end_meeting(session, meeting, EndReason.PLATFORM, now, now):
                    await participants.close_open_sessions(session, meeting.id, now)
                    ended = True
        return ended
