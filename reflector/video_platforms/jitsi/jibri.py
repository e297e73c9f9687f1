"""What Jibri leaves behind (docs/platforms/jitsi.md#jibri-session-directories): a session
directory holding the media file and `metadata.json`, and how that finds its way to one of our
meetings."""

import re
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import Meeting
from reflector.infra.errors import InvalidField, NotFound
from reflector.infra.validation import SafeStr, UrlStr, first_error
from reflector.rooms.desk import newest_in_platform_room
from reflector.video_platforms.jitsi.events import PLATFORM, meeting_room_name

# Jibri replaces everything outside this set in the session id with "_"
# (docs/platforms/jitsi.md#jibri-session-directories), so a name with anything else, "." and
# "/" included, was not made by Jibri.
SESSION_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
METADATA_FILE = "metadata.json"
METADATA_MAX_BYTES = 256 * 1024
# `jibri.ffmpeg.recording-format` (default mp4); the name is `<room>_<local time>.<ext>`.
MEDIA_EXTENSIONS = frozenset({"mp4", "webm", "mkv", "flv", "mov"})
_FILE_NAME = re.compile(r"(?P<room>.+)_\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]+")
# The IFrame API's `startRecording({extraMetadata: {...}})` key naming our meeting
# (docs/platforms/jitsi.md#meeting-ids).
MEETING_ID_KEY = "reflector_meeting_id"


class _ConferenceDetails(BaseModel):
    model_config = ConfigDict(extra="allow")

    session_id: SafeStr | None = None


class JibriMetadata(BaseModel):
    """metadata.json: the fields Jibri writes, and the IFrame API's extras at the top level."""

    model_config = ConfigDict(extra="allow")

    meeting_url: UrlStr | None = None
    participants: list[Any] = []
    conference_details: _ConferenceDetails | None = None
    reflector_meeting_id: SafeStr | None = None

    @classmethod
    def parse(cls, data: bytes) -> "JibriMetadata":
        if not data.strip():
            return cls()
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            raise InvalidField(("body", "metadata"), f"metadata.json: {first_error(exc)}") from None

    def room_name(self) -> str | None:
        """The room node: the last path segment of `meeting_url`."""
        if not self.meeting_url:
            return None
        segment = urlsplit(self.meeting_url).path.rstrip("/").rpartition("/")[2]
        return meeting_room_name(unquote(segment)) or None

    def participant_names(self) -> list[str]:
        """Who was seen during the recording (only with Prosody's presence_identity)."""
        names = []
        for entry in self.participants:
            user = entry.get("user") if isinstance(entry, dict) else None
            name = user.get("name") if isinstance(user, dict) else None
            if isinstance(name, str) and name:
                names.append(name[:255])
        return names

    def provider_data(self, session_name: str) -> dict[str, Any]:
        details = self.conference_details
        return {
            "jibri_session_id": session_name,
            # Prosody's meetingId: which instance of the room was recorded
            # (docs/platforms/jitsi.md#meeting-ids).
            "room_instance_id": details.session_id if details else None,
            "participants": self.participant_names(),
        }


def sole_speaker(names: list[str]) -> str | None:
    """Jibri records everyone in one track: it is one person's only when one person was
    seen (with more, their names stay with the recording and the track is "Speaker 1")."""
    return names[0] if len(set(names)) == 1 else None


def room_from_file_name(file_name: str) -> str | None:
    """The room from Jibri's media file name, `<room>_<yyyy-MM-dd-HH-mm-ss>.<ext>`."""
    match = _FILE_NAME.fullmatch(PurePosixPath(file_name).name)
    return meeting_room_name(match["room"]) if match else None


async def meeting_for(
    session: AsyncSession, metadata: JibriMetadata, file_name: str | None
) -> Meeting:
    """The meeting a recording belongs to: named by our id, else by its room."""
    if metadata.reflector_meeting_id:
        try:
            meeting_id = uuid.UUID(metadata.reflector_meeting_id)
        except ValueError:
            meeting_id = None
        meeting = await session.get(Meeting, meeting_id) if meeting_id else None
        if meeting is not None and meeting.platform == PLATFORM:
            return meeting
    room = metadata.room_name() or (room_from_file_name(file_name) if file_name else None)
    if room is None:
        raise InvalidField(
            ("body", "metadata"), "metadata.json has no meeting_url and the file name no room"
        )
    meeting = await newest_in_platform_room(session, PLATFORM, room)
    if meeting is None:
        raise NotFound(f"no meeting of this service is in Jitsi room {room!r}")
    return meeting


def checked_session_name(name: str) -> str:
    if not SESSION_NAME.fullmatch(name):
        raise InvalidField(
            ("body", "session"), "must be a Jibri session directory name ([A-Za-z0-9_-])"
        )
    return name


@dataclass(frozen=True)
class SessionDirectory:
    """A finished session directory on the shared volume, every path checked to stay inside."""

    name: str
    media: Path
    metadata: Path

    @classmethod
    def open(cls, root: Path, name: str) -> "SessionDirectory":
        checked_session_name(name)
        base = root.resolve()
        directory = _inside(base, base / name)
        if not directory.is_dir():
            raise NotFound(f"no session directory {name!r} in the recordings directory")
        metadata = _inside(base, directory / METADATA_FILE)
        if not metadata.is_file():
            # Jibri writes metadata.json once ffmpeg has closed the file
            # (docs/platforms/jitsi.md#jibri-session-directories).
            raise InvalidField(("body", "session"), f"{name!r} has no {METADATA_FILE} yet")
        media = [
            _inside(base, entry)
            for entry in sorted(directory.iterdir())
            if entry.suffix.lstrip(".").lower() in MEDIA_EXTENSIONS
        ]
        files = [path for path in media if path.is_file()]
        if not files:
            raise InvalidField(("body", "session"), f"{name!r} holds no recording")
        return cls(name, max(files, key=lambda path: path.stat().st_size), metadata)

    def read_metadata(self) -> JibriMetadata:
        if self.metadata.stat().st_size > METADATA_MAX_BYTES:
            raise InvalidField(("body", "session"), f"{METADATA_FILE} is too large")
        return JibriMetadata.parse(self.metadata.read_bytes())


def _inside(root: Path, path: Path) -> Path:
    """`path` with every symlink resolved, refused unless it is still under `root`."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        raise InvalidField(("body", "session"), "resolves outside the recordings directory")
    return resolved
