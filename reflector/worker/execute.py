"""Running one job under a lease, and recording how it ended.

A run starts only by claiming the job (`pending` → `running`, one conditional update), keeps
its lease alive while it works, and stops if the lease is lost, so one job never has two live
runs. Errors are sorted by what should happen next: retry later, or fail with the reason.
"""

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any, Literal

import httpx
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError, OperationalError

from reflector.db import Job, JobState
from reflector.jobs import (
    GiveUp,
    JobSpec,
    PeriodicSpec,
    PermanentJobError,
    TransientJobError,
    backoff,
)
from reflector.runtime import Runtime
from reflector.video_platforms.errors import PlatformError, PlatformUnavailable

logger = logging.getLogger(__name__)
ErrorClass = Literal["transient", "permanent"]


# Errors raised on purpose, their words written for the people who read them.
_OURS = (PermanentJobError, TransientJobError, PlatformError)


def classify(exc: BaseException) -> ErrorClass:
    if isinstance(exc, TransientJobError | PlatformUnavailable | httpx.TransportError):
        return "transient"
    if isinstance(exc, TimeoutError | ConnectionError | OperationalError | SoftTimeLimitExceeded):
        return "transient"
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return "transient"
    return "permanent"


async def run_job(runtime: Runtime, spec: JobSpec, job_id: uuid.UUID, owner: str) -> str | None:
    """Run the job if it can be claimed; returns its new state, or None if it was not ours."""
    claimed = await _claim(runtime, job_id, owner)
    if claimed is None:
        return None
    args, attempts = claimed
    work = asyncio.current_task()
    assert work is not None
    keeper = asyncio.create_task(_keep_lease(runtime, job_id, owner, work))
    try:
        await spec.run(runtime, args)
    except asyncio.CancelledError:
        if keeper.done():  # the lease was lost: someone else may run the job now
            logger.error("job %s (%s) lost its lease and stopped", job_id, spec.name)
            return None
        raise
    except Exception as exc:
        return await _fail(runtime, spec, job_id, owner, attempts, exc)
    finally:
        keeper.cancel()
    await _finish(runtime, job_id, owner, state=JobState.DONE)
    return JobState.DONE


async def run_periodic(runtime: Runtime, periodic: PeriodicSpec) -> None:
    """A periodic task, its errors sorted and logged as a job's are. It is not retried: its
    next tick is its retry."""
    try:
        await periodic.run(runtime)
    except Exception as exc:
        if _unexpected(exc):
            logger.exception("periodic %s failed unexpectedly", periodic.name)
        else:
            logger.warning(
                "periodic %s failed (%s): %s", periodic.name, classify(exc), _reason(exc)
            )


async def _fail(
    runtime: Runtime,
    spec: JobSpec,
    job_id: uuid.UUID,
    owner: str,
    attempts: int,
    exc: BaseException,
) -> str:
    error_class, reason = classify(exc), _reason(exc)
    if _unexpected(exc):
        logger.exception("job %s (%s) failed unexpectedly", job_id, spec.name, exc_info=exc)
    if error_class == "transient" and attempts < spec.max_attempts:
        retry_after = exc.retry_after if isinstance(exc, TransientJobError) else None
        delay = backoff(attempts, retry_after)
        logger.warning(
            "job %s (%s) will retry in %.1f s: %s", job_id, spec.name, delay.total_seconds(), reason
        )
        await _finish(
            runtime,
            job_id,
            owner,
            state=JobState.PENDING,
            not_before=runtime.clock() + delay,
            published_at=None,
            error=reason,
            error_class=error_class,
        )
        return JobState.PENDING
    logger.warning("job %s (%s) failed (%s): %s", job_id, spec.name, error_class, reason)
    await _finish(
        runtime,
        job_id,
        owner,
        give_up=spec.on_give_up,
        told=_told(exc, job_id),
        state=JobState.FAILED,
        error=reason,
        error_class=error_class,
    )
    return JobState.FAILED


def _reason(exc: BaseException) -> str:
    """Why it failed, for operators: kept with the job and logged."""
    return f"{type(exc).__name__}: {exc}"[:1000]


def _unexpected(exc: BaseException) -> bool:
    """A bug, not a condition: logged with its traceback."""
    return classify(exc) == "permanent" and not isinstance(exc, _OURS)


def _told(exc: BaseException, job_id: uuid.UUID) -> str:
    """Why a job failed, for the people it failed: our own errors' words, which are written
    for them; of anything else, never the exception, which goes to the log."""
    if isinstance(exc, _OURS):
        return str(exc)[:1000]
    if classify(exc) == "transient":
        return "a service it needs did not answer in time, again and again"
    return f"something went wrong on our side (the worker's log has it, job {job_id})"


async def _claim(
    runtime: Runtime, job_id: uuid.UUID, owner: str
) -> tuple[dict[str, Any], int] | None:
    now = runtime.clock()
    lease = timedelta(seconds=runtime.config.settings.JOB_LEASE_SECONDS)
    async with runtime.db.write() as session:
        row = (
            await session.execute(
                update(Job)
                .where(Job.id == job_id, Job.state == JobState.PENDING, Job.not_before <= now)
                .values(
                    state=JobState.RUNNING,
                    attempts=Job.attempts + 1,
                    lease_owner=owner,
                    lease_until=now + lease,
                )
                .returning(Job.args, Job.attempts)
            )
        ).first()
    return (dict(row[0]), int(row[1])) if row else None


async def _keep_lease(
    runtime: Runtime, job_id: uuid.UUID, owner: str, work: asyncio.Task[Any]
) -> None:
    period = runtime.config.settings.JOB_LEASE_SECONDS / 3
    while True:
        await asyncio.sleep(period)
        now = runtime.clock()
        async with runtime.db.write() as session:
            renewed = await session.execute(
                update(Job)
                .where(Job.id == job_id, Job.lease_owner == owner, Job.state == JobState.RUNNING)
                .values(lease_until=now + timedelta(seconds=period * 3))
                .returning(Job.id)
            )
            still_ours = renewed.first() is not None
        if not still_ours:
            work.cancel()
            return


async def _finish(
    runtime: Runtime,
    job_id: uuid.UUID,
    owner: str,
    give_up: GiveUp | None = None,
    told: str = "",
    **values: Any,
) -> None:
    """End the run; `give_up` is told why in `told`, the words people read."""
    if values["state"] in (JobState.DONE, JobState.FAILED):
        values["finished_at"] = runtime.clock()
        values["active_key"] = None
    async with runtime.db.write() as session:
        ended = await session.execute(
            update(Job)
            .where(Job.id == job_id, Job.lease_owner == owner, Job.state == JobState.RUNNING)
            .values(lease_owner=None, lease_until=None, **values)
            .returning(Job.args)
        )
        row = ended.first()
        if give_up is not None and row is not None:
            await give_up(session, dict(row[0]), told)
