"""Keeping tables bounded: old inbox events, finished jobs and rate-limit counts are removed.

Inbox events stay at least as long as any sender retries (the dedupe window, 7 days at the
very least) and long enough to audit or reprocess them (reference/reliability.md W4, M1).
"""

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete

from reflector import rate_limits
from reflector.db import Job, JobState, WebhookEvent

if TYPE_CHECKING:
    from reflector.runtime import Runtime

MINIMUM_EVENT_DAYS = 7


async def remove_expired(runtime: "Runtime") -> None:
    settings = runtime.config.settings
    now = runtime.clock()
    events_before = now - timedelta(
        days=max(MINIMUM_EVENT_DAYS, settings.WEBHOOK_EVENT_RETENTION_DAYS)
    )
    jobs_before = now - timedelta(days=settings.JOB_RETENTION_DAYS)
    async with runtime.db.write() as session:
        await session.execute(delete(WebhookEvent).where(WebhookEvent.received_at < events_before))
        await session.execute(
            delete(Job).where(
                Job.state.in_([JobState.DONE, JobState.FAILED, JobState.DEAD]),
                Job.finished_at < jobs_before,
            )
        )
        await rate_limits.forget_before(session, now - timedelta(hours=1))
