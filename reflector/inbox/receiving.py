"""Verified platform events in: stored once, parked when they name nothing we know, applied.

The webhook edge (`edge.py`) verifies the signature over the raw bytes, the platform's
client translates the body into an `InboundEvent`, and it is handed here; `applying.py` does
what it says. Nothing in the inbox parses a platform payload.

Concurrent deliveries are written together (group commit): while one transaction commits,
new events queue and go into the next one. Each caller is answered only once its own event
is committed, so acknowledging fast never means acknowledging before the event is durable.
"""

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import ReturningInsert

from reflector.db import Database, EventStatus, Meeting, Room, WebhookEvent
from reflector.db.upsert import built_once, insert_into
from reflector.inbox import applying
from reflector.inbox.actions import InboundEvent, ParticipantJoined
from reflector.infra.clock import Clock
from reflector.infra.metrics import WEBHOOK_EVENTS
from reflector.recordings import starts as recording_starts

logger = logging.getLogger(__name__)
MAX_BATCH = 100
# Meetings whose recording start is queued, remembered to skip asking again on every join;
# the job's dedupe key stays the guarantee, so forgetting them all at the cap is harmless.
RECORDING_STARTS_REMEMBERED = 10_000
# Transactions in flight at once, by database.
WRITERS = {"postgresql": 3}


@dataclass(frozen=True)
class Receipt:
    event_id: uuid.UUID | None
    status: EventStatus | None

    @property
    def duplicate(self) -> bool:
        return self.event_id is None


_DUPLICATE = Receipt(event_id=None, status=None)
_Pending = tuple[InboundEvent, "asyncio.Future[Receipt]"]


class Inbox:
    """`recording_platforms`: platforms whose recordings the server starts on joins."""

    def __init__(
        self, db: Database, clock: Clock, recording_platforms: frozenset[str] = frozenset()
    ) -> None:
        self._db = db
        self._clock = clock
        self._recording_platforms = recording_platforms
        self._recording_queued: set[uuid.UUID] = set()
        self._pending: list[_Pending] = []
        self._writers: set[asyncio.Task[None]] = set()
        # SQLite has one writer at a time; PostgreSQL commits one batch while the next is
        # written, keeping the process busy instead of waiting on round trips.
        self._max_writers = WRITERS.get(db.dialect, 1)

    async def receive(self, event: InboundEvent) -> Receipt:
        future: asyncio.Future[Receipt] = asyncio.get_running_loop().create_future()
        self._pending.append((event, future))
        if len(self._writers) < self._max_writers:
            self._writers.add(asyncio.create_task(self._write_pending()))
        return await future

    async def aclose(self) -> None:
        """Finish writing what was received before shutting down."""
        await asyncio.gather(*self._writers)

    async def _write_pending(self) -> None:
        try:
            await self._write_batches()
        finally:
            # Gone from the set in the same step as the last look at `_pending`, so that an
            # event received after that look always starts a writer.
            self._writers.discard(cast(asyncio.Task[None], asyncio.current_task()))

    async def _write_batches(self) -> None:
        while self._pending:
            batch = self._pending[:MAX_BATCH]
            del self._pending[:MAX_BATCH]
            try:
                receipts = await self._store([event for event, _ in batch])
            except Exception as exc:
                if len(batch) == 1:
                    _settle(batch[0][1], exc)
                    continue
                # Keep one failing event from failing its neighbours: write each alone.
                logger.warning(
                    "inbox batch of %d failed (%s); retrying one by one", len(batch), exc
                )
                for event, future in batch:
                    _settle(future, await self._store_alone(event))
                continue
            for (_, future), receipt in zip(batch, receipts, strict=True):
                _settle(future, receipt)

    async def _store_alone(self, event: InboundEvent) -> Receipt | Exception:
        try:
            return (await self._store([event]))[0]
        except Exception as exc:
            return exc

    async def _store(self, events: Sequence[InboundEvent]) -> list[Receipt]:
        unique: dict[tuple[str, str], InboundEvent] = {}
        # In key order, as every batch writes them: concurrent batches then take row locks
        # in the same order and cannot deadlock.
        for event in sorted(events, key=lambda event: (event.platform, event.key)):
            unique.setdefault((event.platform, event.key), event)
        async with self._db.write() as session:
            targets = await _meetings_for(session, list(unique.values()))
            verdicts = {key: _verdict(event, targets) for key, event in unique.items()}
            rows = [self._row(unique[key], *verdict, targets) for key, verdict in verdicts.items()]
            stored = await _insert_new(session, rows)
            applied = [
                (event, targets[_room_of(event)])
                for key, event in unique.items()
                if key in stored and verdicts[key][0] == EventStatus.PROCESSED
            ]
            await applying.apply(
                session, [(event, target.meeting_id) for event, target in applied], self._clock()
            )
            joined = [
                target.meeting_id
                for event, target in applied
                if target.starts_recording
                and target.meeting_id not in self._recording_queued
                and event.platform in self._recording_platforms
                and any(isinstance(action, ParticipantJoined) for action in event.actions)
            ]
            queued = await recording_starts.after_joins(session, joined, self._clock())
        if len(self._recording_queued) + len(queued) > RECORDING_STARTS_REMEMBERED:
            self._recording_queued.clear()
        self._recording_queued |= queued
        receipts = []
        answered: set[tuple[str, str]] = set()
        for event in events:
            key = (event.platform, event.key)
            if key in stored and key not in answered:
                answered.add(key)
                status = verdicts[key][0]
                receipts.append(Receipt(event_id=stored[key], status=status))
                outcome = status.value
            else:
                receipts.append(_DUPLICATE)
                outcome = "duplicate"
            WEBHOOK_EVENTS.labels(event.platform, event.metric_type, outcome).inc()
        return receipts

    def _row(
        self,
        event: InboundEvent,
        status: EventStatus,
        detail: str | None,
        targets: dict[tuple[str, str] | None, "_Target"],
    ) -> dict[str, object]:
        return {
            "id": uuid.uuid4(),
            "platform": event.platform,
            "event_key": event.key,
            "event_type": event.type[:64],
            "received_at": self._clock(),
            "raw_body": event.raw_body,
            "status": status,
            "detail": detail[:500] if detail else None,
            "meeting_id": target.meeting_id if (target := targets.get(_room_of(event))) else None,
        }


def _verdict(
    event: InboundEvent, targets: dict[tuple[str, str] | None, "_Target"]
) -> tuple[EventStatus, str | None]:
    if not event.actions:
        return event.status_without_action, event.problem
    if _room_of(event) not in targets:
        return EventStatus.PARKED, f"no meeting for room {event.room_name!r}"
    return EventStatus.PROCESSED, None


def _settle(future: "asyncio.Future[Receipt]", outcome: Receipt | BaseException) -> None:
    if future.done():  # the caller went away; its event is stored all the same
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _room_of(event: InboundEvent) -> tuple[str, str] | None:
    return (event.platform, event.room_name) if event.room_name is not None else None


@dataclass(frozen=True)
class _Target:
    """The meeting an event belongs to, and whether its room has recordings started on joins."""

    meeting_id: uuid.UUID
    starts_recording: bool


_meetings, _rooms = Meeting.__table__.c, Room.__table__.c
# Core, not ORM: this runs for every batch, and an ORM select costs more to set up than to run.
_NEWEST_MEETINGS = (
    select(
        _meetings.platform,
        _meetings.platform_room_name,
        _meetings.id,
        _rooms.recording_type,
        _rooms.recording_trigger,
    )
    .join_from(Meeting.__table__, Room.__table__, _rooms.id == _meetings.room_id)
    .where(
        _meetings.platform.in_(bindparam("platforms", expanding=True)),
        _meetings.platform_room_name.in_(bindparam("names", expanding=True)),
    )
    .order_by(_meetings.created_at)
)


async def _meetings_for(
    session: AsyncSession, events: Sequence[InboundEvent]
) -> dict[tuple[str, str] | None, _Target]:
    """The newest meeting of each (platform, room name) the events mention."""
    rooms = {room for room in map(_room_of, events) if room is not None}
    if not rooms:
        return {}
    found = await session.execute(
        _NEWEST_MEETINGS,
        {"platforms": list({p for p, _ in rooms}), "names": list({n for _, n in rooms})},
    )
    return {
        (platform, room): _Target(meeting_id, recording_starts.starts_on_joins(kind, trigger))
        for platform, room, meeting_id, kind, trigger in found
        if (platform, room) in rooms
    }


@built_once
def _insert_events(dialect: str) -> ReturningInsert[Any]:
    events = WebhookEvent.__table__.c
    return (
        insert_into(dialect, WebhookEvent)
        .on_conflict_do_nothing(index_elements=[events.platform, events.event_key])
        .returning(events.platform, events.event_key, events.id)
    )


async def _insert_new(
    session: AsyncSession, rows: list[dict[str, object]]
) -> dict[tuple[str, str], uuid.UUID]:
    """Insert the events not stored before; returns the ids of those that were new."""
    result = await session.execute(_insert_events(session), rows)
    return {(platform, key): id_ for platform, key, id_ in result}
