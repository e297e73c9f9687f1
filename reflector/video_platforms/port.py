"""What a platform's background work may ask of the core about recordings. The core reads and
writes its own tables behind it; a platform never does."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from reflector.inbox.actions import InboundEvent, RecordingReady


class Announced(StrEnum):
    NEW = "new"
    KNOWN = "known"
    NO_MEETING = "no_meeting"


class RecordingDesk(Protocol):
    async def known(self, platform: str, platform_recording_id: str) -> bool:
        """Whether the recording the platform knows by this id is ours already."""

    async def announce(
        self, platform: str, ready: RecordingReady, started_at: datetime | None = None
    ) -> Announced:
        """Take a finished recording in, to be fetched and processed. It goes to the newest
        meeting of its room or, given when it started, to the meeting of its room that had
        started by then (within a week)."""

    async def found(self, events: Sequence[InboundEvent]) -> None:
        """Events the platform found itself (a queue, a rescan) rather than received: stored
        once and applied like webhooks."""

    async def unseen(self, platform: str, candidates: Mapping[str, str]) -> list[str]:
        """Of recording ids, each with the key of the event that would bring it, those with
        neither a recording nor that event stored."""


class MeetingDesk(Protocol):
    """What a platform's background work may ask of the core about meetings."""

    async def quiet_rooms(self, platform: str, since: datetime) -> list[str]:
        """The rooms of the platform's active meetings it has sent events about, none of them
        received after `since`."""

    async def room_gone(self, platform: str, room_name: str) -> bool:
        """The platform no longer has the room: its meeting ends now, and everyone still in
        it has left. False when it had ended already."""
