"""Keeping tables bounded: old inbox events, finished jobs, rate-limit counts and expired
browser sessions are removed; recordings' files and transcripts whose retention is up are
deleted (`recordings.expiry`).

Inbox events stay at least as long as any sender retries (the dedupe window, 7 days at the
very least) and long enough to audit or reprocess them.
"""

from datetime import timedelta

from sqlalchemy import delete

from reflector.accounts import rate_limits
from reflector.db import Job, JobState, WebhookEvent, WebSession
from reflector.jobs import JobContext
from reflector.recordings import expiry

MINIMUM_EVENT_DAYS = 7


async def remove_expired(ctx: JobContext) -> None:
    settings = ctx.config.settings
    now = ctx.clock()
    events_before = now - timedelta(
        days=max(MINIMUM_EVENT_DAYS, settings.WEBHOOK_EVENT_RETENTION_DAYS)
    )
    jobs_before = now - timedelta(days=settings.JOB_RETENTION_DAYS)
    async with ctx.db.write() as session:
        await session.execute(delete(WebhookEvent).where(WebhookEvent.received_at < events_before))
        await session.execute(
            delete(Job).where(
                Job.state.in_([JobState.DONE, JobState.FAILED, JobState.DEAD]),
                Job.finished_at < jobs_before,
            )
        )
        await rate_limits.forget_before(session, now - timedelta(hours=1))
        await session.execute(delete(WebSession).where(WebSession.expires_at < now))
    await expiry.run(ctx)
