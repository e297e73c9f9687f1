"""What a platform's background work may ask of the core about recordings. The core reads and
writes its own tables behind it; a platform never does."""

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from reflector.inbox.actions import RecordingReady


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
