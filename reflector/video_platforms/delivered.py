"""Sessions as a platform's own delivered events describe them, for platforms that push
events but have no sessions API to ask."""

from collections.abc import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import EventStatus, Meeting, WebhookEvent
from reflector.inbox.actions import Action, InboundEvent
from reflector.rooms.meetings import newest_in_platform_room
from reflector.rooms.participants import Observation
from reflector.video_platforms.base import SessionData

Translate = Callable[[bytes], InboundEvent]


async def delivered_actions(
    session: AsyncSession, platform: str, room_name: str, translate: Translate
) -> tuple[Meeting | None, list[Action]]:
    """The newest meeting in the platform room, and what its processed events said."""
    meeting = await newest_in_platform_room(session, platform, room_name)
    if meeting is None:
        return None, []
    delivered = (
        select(WebhookEvent.raw_body)
        .where(WebhookEvent.meeting_id == meeting.id, WebhookEvent.status == EventStatus.PROCESSED)
        .order_by(WebhookEvent.received_at)
    )
    bodies = (await session.scalars(delivered)).all()
    return meeting, [action for body in bodies for action in translate(body).actions]


def as_sessions(merged: Iterable[Observation]) -> list[SessionData]:
    """Merged observations as the sessions API reports them: joined ones, in joining order."""
    joined = [found for found in merged if found.joined_at is not None]
    return [
        SessionData(
            participant_id=found.participant_id,
            user_id=found.user_id,
            user_name=found.display_name,
            joined_at=found.joined_at,
            left_at=found.left_at,
            is_recorder=found.is_recorder,
        )
        for found in sorted(joined, key=lambda found: (found.joined_at, found.participant_id))
    ]
