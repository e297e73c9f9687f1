"""Tables, the async engine with its transaction helpers, and Alembic migrations."""

from reflector.db.engine import Database
from reflector.db.tables import (
    ApiKey,
    Base,
    EndReason,
    EventStatus,
    Job,
    JobState,
    Meeting,
    MeetingState,
    ParticipantSession,
    RateLimitWindow,
    Recording,
    RecordingStatus,
    Room,
    Transcript,
    WebhookDelivery,
    WebhookEvent,
)

__all__ = [
    "ApiKey",
    "Base",
    "Database",
    "EndReason",
    "EventStatus",
    "Job",
    "JobState",
    "Meeting",
    "MeetingState",
    "ParticipantSession",
    "RateLimitWindow",
    "Recording",
    "RecordingStatus",
    "Room",
    "Transcript",
    "WebhookDelivery",
    "WebhookEvent",
]
