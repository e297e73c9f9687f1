"""The core's side of `video_platforms.port.MeetingDesk`: meetings a platform says are over
without an event to say so (its list of open rooms), and which meeting a platform room means."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import Database, EndReason, EventStatus, Meeting, MeetingState, WebhookEvent
from reflector.infra.clock import Clock
from reflector.rooms import lifecycle, participants


@dataclass(frozen=True)
class MeetingsDesk:
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


async def newest_in_platform_room(
    session: AsyncSession, platform: str, room_name: str
) -> Meeting | None:
    """The meeting a platform room belongs to: room names are unique per meeting, and if a
    platform reuses one, the newest meeting has it."""
    return await session.scalar(
        select(Meeting)
        .where(Meeting.platform == platform, Meeting.platform_room_name == room_name)
        .order_by(Meeting.created_at.desc())
        .limit(1)
    )
