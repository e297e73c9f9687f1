"""Prometheus metrics, per platform, served at `/metrics`."""

from prometheus_client import Counter

MEETINGS_CREATED = Counter(
    "reflector_meetings_created", "Meetings created on a platform", ["platform"]
)
MEETINGS_FAILED = Counter(
    "reflector_meetings_failed", "Meeting creations a platform failed", ["platform", "error"]
)
PLATFORM_SELECTIONS = Counter(
    "reflector_platform_selections",
    "Platform chosen for a new meeting, and the rule that chose it",
    ["platform", "reason"],
)
PLATFORM_FALLBACKS = Counter(
    "reflector_platform_fallbacks",
    "Meetings created on the fallback platform because the selected one was unavailable",
    ["from_platform", "to_platform"],
)
WEBHOOK_REQUESTS = Counter(
    "reflector_webhook_requests",
    "Incoming platform webhook requests by verification result",
    ["platform", "verification"],
)
WEBHOOK_EVENTS = Counter(
    "reflector_webhook_events",
    "Authentic platform events by type and inbox outcome",
    ["platform", "type", "outcome"],
)
