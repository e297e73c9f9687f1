"""The mock platform's own record of its rooms and who is in them, kept in its own files.

A real platform knows its rooms and participants whether or not its webhooks reach us; so does
the mock. A room is opened when a meeting is created on it and closed when the meeting is
deleted. What it knows of a room's participants comes from the events it sends (its meeting
page's joins and leaves, any signed event delivered to `/v1/mock/webhook`) and from
`POST /v1/mock/presence`, an event it saw but whose webhook was lost. Its sessions API
answers from this record.

One JSON file per room, in a directory every process of a deployment shares (the web
processes write it, the worker's reconciliation reads it). Writes replace a file whole under
a lock, so a reader sees one version or the next, never half of one.
"""

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ValidationError

from reflector.inbox.actions import ParticipantJoined, ParticipantLeft
from reflector.video_platforms.base import SessionData

# A room left open past its end (its deletion never came) is forgotten this long after.
FORGET_AFTER = timedelta(days=1)


class Presence(BaseModel):
    user_id: str | None = None
    user_name: str | None = None
    is_recorder: bool = False
    joined_at: datetime | None = None
    left_at: datetime | None = None

    def merged(self, event: ParticipantJoined | ParticipantLeft) -> "Presence":
        """Earliest join, latest leave, whatever identity and recorder flag either saw."""
        seen = self.model_copy(update={"is_recorder": self.is_recorder or event.is_recorder})
        if isinstance(event, ParticipantLeft):
            seen.left_at = max(filter(None, (self.left_at, event.at)))
            return seen
        seen.joined_at = min(filter(None, (self.joined_at, event.at)))
        seen.user_id = self.user_id or event.user_id
        seen.user_name = self.user_name or event.display_name
        return seen


class RoomRecord(BaseModel):
    name: str
    expires_at: datetime
    presence: dict[str, Presence] = {}


class MockRooms:
    """The rooms in `directory`. Blocking file work: call it from a thread."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def open(self, name: str, expires_at: datetime, now: datetime) -> None:
        with self._locked():
            self._forget_ended(now)
            self._write(RoomRecord(name=name, expires_at=expires_at))

    def close(self, name: str) -> None:
        with self._locked():
            self._path(name).unlink(missing_ok=True)

    def is_open(self, name: str) -> bool:
        return self._read(name) is not None

    def observe(self, event: ParticipantJoined | ParticipantLeft) -> bool:
        """Note what the platform saw in an open room; False when it has no such room."""
        with self._locked():
            record = self._read(event.room_name)
            if record is None:
                return False
            seen = record.presence.get(event.participant_id, Presence())
            record.presence[event.participant_id] = seen.merged(event)
            self._write(record)
            return True

    def sessions(self, name: str) -> list[SessionData]:
        """Who joined the room, in joining order, as its sessions API reports them."""
        record = self._read(name)
        if record is None:
            return []
        joined = sorted(
            (seen.joined_at, pid, seen)
            for pid, seen in record.presence.items()
            if seen.joined_at is not None
        )
        return [
            SessionData(
                participant_id=pid,
                user_id=seen.user_id,
                user_name=seen.user_name,
                joined_at=joined_at,
                left_at=seen.left_at,
                is_recorder=seen.is_recorder,
            )
            for joined_at, pid, seen in joined
        ]

    def _path(self, name: str) -> Path:
        # Hashed: a room name may be longer than a file name may be.
        return self.directory / f"{hashlib.sha256(name.encode()).hexdigest()}.json"

    def _read(self, name: str) -> RoomRecord | None:
        try:
            return RoomRecord.model_validate_json(self._path(name).read_bytes())
        except FileNotFoundError:
            return None

    def _write(self, record: RoomRecord) -> None:
        path = self._path(record.name)
        partial = path.with_suffix(".partial")
        partial.write_text(record.model_dump_json())
        os.replace(partial, path)

    def _forget_ended(self, now: datetime) -> None:
        for path in self.directory.glob("*.json"):
            try:
                record = RoomRecord.model_validate_json(path.read_bytes())
            except (FileNotFoundError, ValidationError):
                continue
            if record.expires_at + FORGET_AFTER < now:
                path.unlink(missing_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        with (self.directory / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
