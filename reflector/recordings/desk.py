"""The core's side of `video_platforms.port.RecordingDesk`: recordings platforms found by
polling or in their buckets, taken in as if announced."""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from reflector.db import Database, Meeting, Recording, WebhookEvent
from reflector.inbox.actions import InboundEvent, RecordingReady
from reflector.inbox.receiving import Inbox
from reflector.infra.clock import Clock
from reflector.recordings import announcements, incoming
from reflector.rooms.desk import newest_in_platform_room
from reflector.video_platforms.port import Announced

# A recording may start a little before the meeting's own start is written.
EARLY_START = timedelta(minutes=5)
MATCH_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class RecordingsDesk:
    db: Database
    clock: Clock
    inbox: Inbox

    async def known(self, platform: str, platform_recording_id: str) -> bool:
        async with self.db.read() as session:
            return (
                await incoming.by_platform_id(session, platform, platform_recording_id) is not None
            )

    async def announce(
        self, platform: str, ready: RecordingReady, started_at: datetime | None = None
    ) -> Announced:
        async with self.db.write() as session:
            if started_at is None:
                meeting = await newest_in_platform_room(session, platform, ready.room_name)
            else:
                meeting = await session.scalar(
                    select(Meeting)
                    .where(
                        Meeting.platform == platform,
                        Meeting.platform_room_name == ready.room_name,
                        Meeting.start_date <= started_at + EARLY_START,
                        Meeting.start_date >= started_at - MATCH_WINDOW,
                    )
                    .order_by(Meeting.start_date.desc())
                    .limit(1)
                )
            if meeting is None:
                return Announced.NO_MEETING
            created = await announcements.announce(session, meeting, ready, self.clock())
        return Announced.NEW if created else Announced.KNOWN

    async def found(self, events: Sequence[InboundEvent]) -> None:
        await asyncio.gather(*(self.inbox.receive(event) for event in events))

    async def unseen(self, platform: str, candidates: Mapping[str, str]) -> list[str]:
        if not candidates:
            return []
        async with self.db.read() as session:
            recorded = set(
                await session.scalars(
                    select(Recording.platform_recording_id).where(
                        Recording.platform == platform,
                        Recording.platform_recording_id.in_(list(candidates)),
                    )
                )
            )
            stored = set(
                await session.scalars(
                    select(WebhookEvent.event_key).where(
                        WebhookEvent.platform == platform,
                        WebhookEvent.event_key.in_(list(candidates.values())),
                    )
                )
            )
        return [
            recording_id
            for recording_id, key in candidates.items()
            if recording_id not in recorded and key not in stored
        ]
