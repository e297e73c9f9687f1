"""Verified platform events in: stored once, parked when they name nothing we know, applied.

A platform's webhook router verifies the signature over the raw bytes, translates the body
into an `InboundEvent` and hands it here. Nothing in this module parses a platform payload.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import assert_never

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import participants
from reflector.clock import Clock
from reflector.db import Database, EndReason, EventStatus, Meeting, MeetingState, WebhookEvent
from reflector.db.upsert import insert
from reflector.metrics import WEBHOOK_EVENTS


@dataclass(frozen=True)
class ParticipantJoined:
    room_name: str
    participant_id: str
    at: datetime
    user_id: str | None = None
    display_name: str | None = None
    is_recorder: bool = False


@dataclass(frozen=True)
class ParticipantLeft:
    room_name: str
    participant_id: str
    at: datetime
    is_recorder: bool = False


@dataclass(frozen=True)
class MeetingEnded:
    room_name: str
    at: datetime


Action = ParticipantJoined | ParticipantLeft | MeetingEnded


@dataclass(frozen=True)
class InboundEvent:
    """One authentic event. `action` is None when it cannot be applied; `problem` says why."""

    platform: str
    key: str
    type: str
    raw_body: bytes
    action: Action | None = None
    problem: str | None = None
    status_without_action: EventStatus = EventStatus.PARKED


@dataclass(frozen=True)
class Receipt:
    event_id: uuid.UUID | None
    status: EventStatus | None
    duplicate: bool


class Inbox:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def receive(self, event: InboundEvent, *, metric_type: str) -> Receipt:
        async with self._db.write() as session:
            meeting = await self._meeting_for(session, event)
            status, detail = self._status(event, meeting)
            event_id = await self._store_once(session, event, status, detail, meeting)
            if event_id is None:
                WEBHOOK_EVENTS.labels(event.platform, metric_type, "duplicate").inc()
                return Receipt(event_id=None, status=None, duplicate=True)
            if meeting is not None and event.action is not None:
                await _apply(session, meeting, event.action)
        WEBHOOK_EVENTS.labels(event.platform, metric_type, status.value).inc()
        return Receipt(event_id=event_id, status=status, duplicate=False)

    async def _meeting_for(self, session: AsyncSession, event: InboundEvent) -> Meeting | None:
        if event.action is None:
            return None
        query = (
            select(Meeting)
            .where(
                Meeting.platform == event.platform,
                Meeting.platform_room_name == event.action.room_name,
            )
            .order_by(Meeting.created_at.desc())
            .limit(1)
        )
        return (await session.scalars(query)).first()

    @staticmethod
    def _status(event: InboundEvent, meeting: Meeting | None) -> tuple[EventStatus, str | None]:
        if event.action is None:
            return event.status_without_action, event.problem
        if meeting is None:
            return EventStatus.PARKED, f"no meeting for room {event.action.room_name!r}"
        return EventStatus.PROCESSED, None

    async def _store_once(
        self,
        session: AsyncSession,
        event: InboundEvent,
        status: EventStatus,
        detail: str | None,
        meeting: Meeting | None,
    ) -> uuid.UUID | None:
        statement = (
            insert(session, WebhookEvent)
            .values(
                id=uuid.uuid4(),
                platform=event.platform,
                event_key=event.key,
                event_type=event.type[:64],
                received_at=self._clock(),
                raw_body=event.raw_body,
                status=status.value,
                detail=detail[:500] if detail else None,
                meeting_id=meeting.id if meeting else None,
            )
            .on_conflict_do_nothing(index_elements=[WebhookEvent.platform, WebhookEvent.event_key])
            .returning(WebhookEvent.id)
        )
        event_id: uuid.UUID | None = (await session.execute(statement)).scalar_one_or_none()
        return event_id


async def _apply(session: AsyncSession, meeting: Meeting, action: Action) -> None:
    match action:
        case ParticipantJoined():
            await participants.record(
                session,
                meeting.id,
                action.participant_id,
                joined_at=action.at,
                user_id=action.user_id,
                display_name=action.display_name,
                is_recorder=action.is_recorder,
            )
        case ParticipantLeft():
            await participants.record(
                session,
                meeting.id,
                action.participant_id,
                left_at=action.at,
                is_recorder=action.is_recorder,
            )
        case MeetingEnded():
            await session.execute(
                update(Meeting)
                .where(Meeting.id == meeting.id, Meeting.state == MeetingState.ACTIVE)
                .values(state=MeetingState.ENDED, ended_at=action.at, end_reason=EndReason.PLATFORM)
            )
        case _:
            assert_never(action)
