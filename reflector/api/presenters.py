"""Rows to response bodies, hiding what only a room's owner may see."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reflector.accounts.auth import Caller
from reflector.api.recording_schemas import RecordingOut, TranscriptOut
from reflector.api.schemas import ConsentOut, MeetingDetail, MeetingOut, ParticipantOut, RoomOut
from reflector.config.settings import Settings
from reflector.db import Meeting, Recording, Room, Transcript
from reflector.recordings import consent, expiry
from reflector.recordings.consent import Outcome
from reflector.rooms import participants
from reflector.rooms.directory import is_owner


def room_out(room: Room, caller: Caller) -> RoomOut:
    out = RoomOut.model_validate(room)
    if is_owner(room, caller):
        return out
    # Webhook URLs often carry a token of the receiver's: the owner's business alone.
    return out.model_copy(update={"webhook_url": None, "webhook_secret": None})


async def meeting_out(
    session: AsyncSession, room: Room, meeting: Meeting, caller: Caller
) -> MeetingOut:
    fields = _meeting_fields(room, meeting, caller)
    fields["num_clients"] = await participants.num_clients(session, meeting)
    return MeetingOut.model_validate(fields)


async def meeting_detail(
    session: AsyncSession, room: Room, meeting: Meeting, caller: Caller
) -> MeetingDetail:
    fields = _meeting_fields(room, meeting, caller)
    fields["num_clients"] = await participants.num_clients(session, meeting)
    sessions = await participants.sessions_of(session, meeting.id)
    fields["participants"] = [ParticipantOut.model_validate(s) for s in sessions]
    if is_owner(room, caller):
        answers = await consent.answers_in(session, meeting.id)
        fields["consent"] = [ConsentOut.model_validate(answer) for answer in answers]
    return MeetingDetail.model_validate(fields)


def _meeting_fields(room: Room, meeting: Meeting, caller: Caller) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "room_id": meeting.room_id,
        "platform": meeting.platform,
        "platform_meeting_id": meeting.platform_meeting_id,
        "platform_room_name": meeting.platform_room_name,
        "room_url": meeting.room_url,
        "host_room_url": meeting.host_room_url if is_owner(room, caller) else None,
        "start_date": meeting.start_date,
        "end_date": meeting.end_date,
        "state": meeting.state,
        "ended_at": meeting.ended_at,
        "end_reason": meeting.end_reason,
        "created_at": meeting.created_at,
    }


def recording_out(
    recording: Recording, transcript_id: uuid.UUID | None, media_due: datetime | None = None
) -> RecordingOut:
    """The recording; `media_due`, when retention will delete its files (None: kept)."""
    return RecordingOut(
        id=recording.id,
        meeting_id=recording.meeting_id,
        platform=recording.platform,
        platform_recording_id=recording.platform_recording_id,
        status=recording.status,
        stage=recording.stage,
        progress=recording.progress,
        tracks=len(recording.tracks),
        size=recording.size,
        sha256=recording.sha256,
        duration=recording.duration,
        error=recording.error,
        provider_data=recording.provider_data,
        transcript_id=transcript_id,
        consent=Outcome.model_validate(recording.consent),
        media_deleted_at=recording.media_deleted_at,
        media_deleted_on=media_due,
        transcript_deleted_at=recording.transcript_deleted_at,
        created_at=recording.created_at,
    )


def transcript_out(
    transcript: Transcript, recording: Recording, room: Room, settings: Settings
) -> TranscriptOut:
    out = TranscriptOut.model_validate(transcript)
    deleted_on = expiry.transcript_due(settings, room, recording)
    return out.model_copy(
        update={"consent": Outcome.model_validate(recording.consent), "deleted_on": deleted_on}
    )
