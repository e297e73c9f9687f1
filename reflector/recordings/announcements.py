"""Recordings a platform announces: "a recording of this room is ready, here are its tracks".

Applying an announcement, in the transaction that stores its event (or a poll's findings),
creates the recording with status `received`, once per platform recording id, and queues its
processing, whose first stage brings the tracks in (`pipeline.intake`).
"""

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import Meeting, Recording, RecordingStatus
from reflector.db.upsert import insert
from reflector.inbox.actions import RecordingFailed, RecordingReady
from reflector.recordings import incoming
from reflector.recordings import tracks as recording_tracks


async def announce(
    session: AsyncSession, meeting: Meeting, ready: RecordingReady, now: datetime
) -> uuid.UUID | None:
    """Create the announced recording and queue its fetch; None if it was announced before."""
    tracks = recording_tracks.dump(ready.tracks)
    recording_id = await _insert_once(
        session, meeting, ready.recording_id, now, status=RecordingStatus.RECEIVED, tracks=tracks
    )
    if recording_id is not None:
        await incoming.queue_processing(session, now, recording_id)
    return recording_id


async def fail(
    session: AsyncSession, meeting: Meeting, failed: RecordingFailed, now: datetime
) -> None:
    """Keep the failure as a failed recording of the meeting, with the platform's reason."""
    reason = f"the platform reported: {failed.reason}"[:1000]
    await _insert_once(
        session, meeting, failed.failure_id, now, status=RecordingStatus.FAILED, error=reason
    )


async def _insert_once(
    session: AsyncSession,
    meeting: Meeting,
    platform_recording_id: str,
    now: datetime,
    **fields: object,
) -> uuid.UUID | None:
    """A recording of the meeting, unless the platform's id is taken; its id if new."""
    statement = (
        insert(session, Recording)
        .values(
            id=uuid.uuid4(),
            meeting_id=meeting.id,
            platform=meeting.platform,
            platform_recording_id=platform_recording_id,
            provider_data={},
            created_at=now,
            **{"tracks": [], **fields},
        )
        .on_conflict_do_nothing(
            index_elements=[Recording.platform, Recording.platform_recording_id]
        )
        .returning(Recording.id)
    )
    return (await session.execute(statement)).scalar_one_or_none()
