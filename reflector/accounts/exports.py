"""A person's data in one zip: their rooms, those rooms' meetings and transcripts, and every
answer they gave to being recorded, in anyone's meeting."""

import asyncio
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from reflector.db import (
    ConsentAnswer,
    Meeting,
    ParticipantSession,
    Recording,
    Room,
    Transcript,
    User,
)
from reflector.infra.errors import NotFound
from reflector.recordings import consent
from reflector.recordings.pipeline import formats
from reflector.runtime import Runtime

README = """\
What {name} has in this Reflector, exported {when:%Y-%m-%d %H:%M} UTC.

user.json        the account: its name and when it was made
rooms.json       the rooms {name} owns, with their settings
meetings.json    those rooms' meetings, each with who was in it and its recordings
transcripts/     each transcript of those meetings, as JSON and as plain text
consent.json     every answer {name} gave to being recorded, in any room's meeting

Recordings' audio and video are not in the archive: download them from each recording.
"""


@dataclass(frozen=True)
class Exported:
    rooms: int
    meetings: int
    transcripts: int
    answers: int


async def write_user_archive(runtime: Runtime, name: str, target: Path) -> Exported:
    """Write the zip of user `name`'s data to `target`."""
    async with runtime.db.read() as session:
        user = await session.scalar(select(User).where(User.name == name))
        if user is None:
            raise NotFound(f"no user is named {name!r}")
        rooms = (await session.scalars(select(Room).where(Room.owner == name))).all()
        meetings = (
            await session.scalars(
                select(Meeting)
                .where(Meeting.room_id.in_([room.id for room in rooms]))
                .order_by(Meeting.created_at)
            )
        ).all()
        ids = [meeting.id for meeting in meetings]
        people = (
            await session.scalars(
                select(ParticipantSession).where(ParticipantSession.meeting_id.in_(ids))
            )
        ).all()
        found = (
            await session.scalars(select(Recording).where(Recording.meeting_id.in_(ids)))
        ).all()
        transcripts = (
            await session.scalars(select(Transcript).where(Transcript.meeting_id.in_(ids)))
        ).all()
        answers = await consent.answers_of(session, name)
    files = {
        "README.txt": README.format(name=name, when=runtime.clock()),
        "user.json": _json({"name": user.name, "created_at": user.created_at}),
        "rooms.json": _json([_room(room) for room in rooms]),
        "meetings.json": _json(
            [
                _meeting(
                    meeting,
                    [p for p in people if p.meeting_id == meeting.id],
                    [r for r in found if r.meeting_id == meeting.id],
                )
                for meeting in meetings
            ]
        ),
        "consent.json": _json([_answer(answer) for answer in answers]),
    }
    for transcript in transcripts:
        files[f"transcripts/{transcript.id}.json"] = _json(_transcript(transcript))
        files[f"transcripts/{transcript.id}.txt"] = formats.txt(transcript.segments)
    await asyncio.to_thread(_zip, target, files)
    return Exported(len(rooms), len(meetings), len(transcripts), len(answers))


def _zip(target: Path, files: dict[str, str]) -> None:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, text in files.items():
            archive.writestr(path, text)


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


# Every setting of a room but its webhook's signing secret, a credential rather than data.
_NOT_EXPORTED = {"webhook_secret"}


def _room(room: Room) -> dict[str, Any]:
    columns = (column.key for column in Room.__table__.columns)
    return {key: getattr(room, key) for key in columns if key not in _NOT_EXPORTED}


def _meeting(
    meeting: Meeting, people: list[ParticipantSession], found: list[Recording]
) -> dict[str, Any]:
    return {
        "id": meeting.id,
        "room_id": meeting.room_id,
        "platform": meeting.platform,
        "start_date": meeting.start_date,
        "ended_at": meeting.ended_at,
        "participants": [
            {
                "name": person.display_name or person.user_id,
                "joined_at": person.joined_at,
                "left_at": person.left_at,
            }
            for person in people
            if not person.is_recorder
        ],
        "recordings": [
            {
                "id": recording.id,
                "status": recording.status,
                "duration": recording.duration,
                "created_at": recording.created_at,
                "media_deleted_at": recording.media_deleted_at,
                "consent": recording.consent,
            }
            for recording in found
        ],
    }


def _transcript(transcript: Transcript) -> dict[str, Any]:
    return {
        "id": transcript.id,
        "meeting_id": transcript.meeting_id,
        "language": transcript.language,
        "segments": transcript.segments,
        "summary": transcript.summary,
        "created_at": transcript.created_at,
    }


def _answer(answer: ConsentAnswer) -> dict[str, Any]:
    return {
        "meeting_id": answer.meeting_id,
        "answer": answer.answer,
        "answered_at": answer.answered_at,
    }
