"""How long recordings' files and transcripts are kept, and deleting them when their time is up.

Each is kept for the shorter of the service's limit (`RETENTION_MEDIA_DAYS`,
`RETENTION_TRANSCRIPT_DAYS`) and its room's (`retention_media_days`, ...), counted from when
its processing ended (for a recording that failed, from when it came in); with neither set
it is kept. The periodic job deletes what is due in
batches of `BATCH`, each its own transaction: rows first, files right after, so that nothing
visible points at a missing file. What is deleted is marked on the recording, so a second
run finds nothing more to do.
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from reflector.config.settings import Settings
from reflector.db import Meeting, Recording, RecordingStatus, Room, Transcript
from reflector.db.types import UTCDateTime
from reflector.infra.storage import remove_all
from reflector.jobs import JobContext
from reflector.recordings import tracks as recording_tracks

logger = logging.getLogger(__name__)

BATCH = 100
Kind = Literal["media", "transcript"]


def kept_days(service: int | None, room: int | None) -> int | None:
    """The shorter of the two limits; None: kept."""
    given = [days for days in (service, room) if days is not None]
    return min(given) if given else None


def media_days(settings: Settings, room: Room) -> int | None:
    return kept_days(settings.RETENTION_MEDIA_DAYS, room.retention_media_days)


def transcript_days(settings: Settings, room: Room) -> int | None:
    return kept_days(settings.RETENTION_TRANSCRIPT_DAYS, room.retention_transcript_days)


def processed(recording: Recording) -> datetime:
    """When its processing ended; for one that failed, when it came in."""
    return recording.processed_at or recording.created_at


def due(recording: Recording, days: int | None) -> datetime | None:
    """When the recording's media, or its transcript, kept `days`, is deleted."""
    if days is None or recording.status not in (RecordingStatus.DONE, RecordingStatus.FAILED):
        return None
    return processed(recording) + timedelta(days=days)


def media_due(settings: Settings, room: Room, recording: Recording) -> datetime | None:
    """When retention will delete the recording's files; None: kept, or gone already."""
    if recording.media_deleted_at is not None:
        return None
    return due(recording, media_days(settings, room))


def transcript_due(settings: Settings, room: Room, recording: Recording) -> datetime | None:
    """When retention will delete the recording's transcript; None: kept."""
    return due(recording, transcript_days(settings, room))


# The same, in SQL.
_PROCESSED = func.coalesce(Recording.processed_at, Recording.created_at, type_=UTCDateTime())


def forget_media(recording: Recording, now: datetime) -> list[str]:
    """Mark the recording's files deleted; returns their keys, to remove once committed."""
    stored = recording_tracks.load(recording.tracks)
    keys = recording_tracks.stored_keys(stored)
    tracks = [
        track.model_copy(update={"key": None, "audio_key": None, "audio_size": None})
        for track in stored
    ]
    recording.tracks = recording_tracks.dump(tracks)
    recording.storage_key = None
    recording.media_deleted_at = now
    return keys


@dataclass(frozen=True)
class Expired:
    kind: Kind
    recording_id: uuid.UUID
    room_name: str
    processed_at: datetime
    due: datetime


async def run(ctx: JobContext, *, dry_run: bool = False) -> list[Expired]:
    """Delete every recording's media and every transcript whose time is up (with
    `dry_run`, only say which); returns what was (or would be) deleted."""
    now, settings = ctx.clock(), ctx.config.settings
    gone: list[Expired] = []
    for kind in ("media", "transcript"):
        while True:
            async with ctx.db.write() as session:
                found = await _due(session, kind, settings, now, None if dry_run else BATCH)
                keys = [] if dry_run else await _delete(session, kind, found, now)
            await remove_all(ctx.storage, keys)
            gone.extend(expired for _, expired in found)
            if dry_run or len(found) < BATCH:
                break
    if not dry_run:
        media = sum(expired.kind == "media" for expired in gone)
        logger.info(
            "retention: deleted the files of %d recording(s) and %d transcript(s)",
            media,
            len(gone) - media,
        )
    return gone


async def _due(
    session: AsyncSession, kind: Kind, settings: Settings, now: datetime, limit: int | None
) -> list[tuple[Recording, Expired]]:
    if kind == "media":
        room_days, service_days = Room.retention_media_days, settings.RETENTION_MEDIA_DAYS
        pending = Recording.media_deleted_at.is_(None)
    else:
        room_days, service_days = Room.retention_transcript_days, settings.RETENTION_TRANSCRIPT_DAYS
        pending = Recording.id.in_(select(Transcript.recording_id))
    limits = (await session.scalars(select(room_days).distinct())).all()
    query = (
        select(Recording, Room, room_days)
        .join(Meeting, Meeting.id == Recording.meeting_id)
        .join(Room, Room.id == Meeting.room_id)
        .where(
            pending,
            Recording.status.in_([RecordingStatus.DONE, RecordingStatus.FAILED]),
            _expired(room_days, service_days, limits, now),
        )
        .order_by(_PROCESSED, Recording.id)
        .limit(limit)
    )
    found = []
    for recording, room, days in (await session.execute(query)).all():
        when = due(recording, kept_days(service_days, days))
        assert when is not None  # as the query asked
        expired = Expired(kind, recording.id, room.name, processed(recording), when)
        found.append((recording, expired))
    return found


def _expired(
    room_days: InstrumentedAttribute[int | None],
    service_days: int | None,
    values: Iterable[int | None],
    now: datetime,
) -> ColumnElement[bool]:
    """Processed long enough ago for its room's limit: one condition per distinct limit."""
    clauses = []
    for value in values:
        days = kept_days(service_days, value)
        if days is None:
            continue
        same = room_days.is_(None) if value is None else room_days == value
        clauses.append(and_(same, _PROCESSED.op("<=")(now - timedelta(days=days))))
    return or_(*clauses) if clauses else false()


async def _delete(
    session: AsyncSession, kind: Kind, found: list[tuple[Recording, Expired]], now: datetime
) -> list[str]:
    keys: list[str] = []
    for recording, _ in found:
        if kind == "media":
            keys.extend(forget_media(recording, now))
            continue
        transcript = await session.scalar(
            select(Transcript).where(Transcript.recording_id == recording.id)
        )
        if transcript is not None:  # its search entry goes with it
            await session.delete(transcript)
        recording.transcript_deleted_at = now
    return keys
