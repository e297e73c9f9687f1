"""Liveness, metrics, and what the platforms can do."""

import asyncio
import logging
from datetime import datetime

from fastapi import APIRouter, HTTPException, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.api.deps import CallerDep, RuntimeDep
from reflector.api.schemas import Health, Outbox, PlatformHealth, PlatformOut
from reflector.db import Job, JobState, Meeting, MeetingState, WebhookEvent
from reflector.infra.metrics import JOB_QUEUE_DEPTH, JOBS, MEETINGS_ENDED
from reflector.worker import broker

logger = logging.getLogger(__name__)
router = APIRouter(tags=["system"])


@router.get("/health")
async def health(runtime: RuntimeDep, response: Response) -> Health:
    try:
        async with runtime.db.read() as session:
            outbox = await _outbox(session, runtime.clock())
    except (SQLAlchemyError, OSError):
        response.status_code = 503
        return Health(status="unavailable", database="unreachable")
    reason = await asyncio.to_thread(broker.unreachable, runtime.config.settings)
    if reason is not None:
        logger.warning("health: %s", reason)
    return Health(
        status="ok" if reason is None else "degraded",
        database="ok",
        broker="ok" if reason is None else "unreachable",
        outbox=outbox,
    )


async def _outbox(session: AsyncSession, now: datetime) -> Outbox:
    waiting, oldest = (
        await session.execute(
            select(func.count(), func.min(Job.not_before)).where(
                Job.state == JobState.PENDING, Job.published_at.is_(None), Job.not_before <= now
            )
        )
    ).one()
    return Outbox(
        waiting=waiting,
        oldest_seconds=None if oldest is None else round((now - oldest).total_seconds(), 1),
    )


@router.get("/metrics", response_class=Response)
async def metrics(runtime: RuntimeDep) -> Response:
    async with runtime.db.read() as session:
        await _refresh_from_database(session, runtime.clock())
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def _refresh_from_database(session: AsyncSession, now: datetime) -> None:
    jobs = await session.execute(
        select(Job.task, Job.state, Job.error_class, func.count()).group_by(
            Job.task, Job.state, Job.error_class
        )
    )
    JOBS.clear()
    for task, state, error_class, count in jobs:
        JOBS.labels(task, state, error_class or "").set(count)
    due = await session.execute(
        select(Job.task, func.count())
        .where(Job.state == JobState.PENDING, Job.not_before <= now)
        .group_by(Job.task)
    )
    JOB_QUEUE_DEPTH.clear()
    for task, count in due:
        JOB_QUEUE_DEPTH.labels(task).set(count)
    ended = await session.execute(
        select(Meeting.platform, Meeting.end_reason, func.count())
        .where(Meeting.state == MeetingState.ENDED)
        .group_by(Meeting.platform, Meeting.end_reason)
    )
    MEETINGS_ENDED.clear()
    for platform, reason, count in ended:
        MEETINGS_ENDED.labels(platform, reason or "").set(count)


@router.get("/v1/platforms")
async def platforms(runtime: RuntimeDep, caller: CallerDep) -> list[PlatformOut]:
    out = []
    for slug in runtime.platforms.slugs:
        missing = runtime.platforms.missing(slug)
        out.append(
            PlatformOut(
                slug=slug,
                title=runtime.platforms.title(slug),
                configured=not missing,
                missing=missing,
                capabilities=sorted(runtime.platforms.capabilities(slug)),
            )
        )
    return out


@router.get("/v1/{platform}/health")
async def platform_health(platform: str, runtime: RuntimeDep) -> PlatformHealth:
    if platform not in runtime.platforms.slugs:
        raise HTTPException(404, f"unknown platform {platform!r}")
    async with runtime.db.read() as session:
        last = await session.scalar(
            select(func.max(WebhookEvent.received_at)).where(WebhookEvent.platform == platform)
        )
    missing = runtime.platforms.missing(platform)
    return PlatformHealth(
        platform=platform, configured=not missing, missing=missing, last_event_at=last
    )
