"""Tables, the async engine with its transaction helpers, and Alembic migrations."""

from reflector.db.base import Base
from reflector.db.bookkeeping import (
    ApiKey,
    Job,
    RateLimitWindow,
    User,
    WebhookDelivery,
    WebhookEvent,
    WebSession,
)
from reflector.db.engine import Database
from reflector.db.kinds import (
    Answer,
    Consent,
    EndReason,
    EventStatus,
    JobState,
    MeetingState,
    MixedOnRefusal,
    RecordingStatus,
)
from reflector.db.tables import (
    ConsentAnswer,
    Meeting,
    ParticipantSession,
    Recording,
    Room,
    Transcript,
)

__all__ = [
    "Answer",
    "ApiKey",
    "Base",
    "Consent",
    "ConsentAnswer",
    "Database",
    "EndReason",
    "EventStatus",
    "Job",
    "JobState",
    "Meeting",
    "MeetingState",
    "MixedOnRefusal",
    "ParticipantSession",
    "RateLimitWindow",
    "Recording",
    "RecordingStatus",
    "Room",
    "Transcript",
    "User",
    "WebSession",
    "WebhookDelivery",
    "WebhookEvent",
]
