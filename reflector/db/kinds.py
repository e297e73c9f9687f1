"""The values of the tables' enumerated columns."""

from enum import StrEnum


class RoomMode(StrEnum):
    NORMAL = "normal"
    GROUP = "group"


class RecordingType(StrEnum):
    NONE = "none"
    LOCAL = "local"
    CLOUD = "cloud"


class RecordingTrigger(StrEnum):
    NONE = "none"
    PROMPT = "prompt"
    AUTOMATIC = "automatic"
    AUTOMATIC_2ND_PARTICIPANT = "automatic-2nd-participant"


class MeetingState(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class EndReason(StrEnum):
    PLATFORM = "platform"
    ENDED_BY_HOST = "ended_by_host"
    EMPTY = "empty"
    END_DATE = "end_date"


class EventStatus(StrEnum):
    PROCESSED = "processed"
    PARKED = "parked"
    FAILED = "failed"


class JobState(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    DEAD = "dead"


class Consent(StrEnum):
    NONE = "none"
    ASK = "ask"


class Answer(StrEnum):
    AGREE = "agree"
    REFUSE = "refuse"


class MixedOnRefusal(StrEnum):
    """What a mixed recording of a meeting in which someone refused becomes."""

    TRANSCRIBE = "transcribe"
    SKIP = "skip"


class RecordingStatus(StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"
