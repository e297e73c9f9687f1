"""Prometheus metrics, per platform, served at `/metrics`."""

from prometheus_client import Counter, Gauge

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

# Read from the database at each scrape, so they hold across API and worker processes.
JOBS = Gauge(
    "reflector_jobs",
    "Background jobs by task, state and error class",
    ["task", "state", "error_class"],
)
JOB_QUEUE_DEPTH = Gauge(
    "reflector_job_queue_depth", "Jobs waiting to run (pending and due)", ["task"]
)
MEETINGS_ENDED = Gauge(
    "reflector_meetings_ended", "Ended meetings by platform and end reason", ["platform", "reason"]
)
