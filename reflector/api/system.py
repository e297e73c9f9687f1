"""Liveness, metrics, and what the platforms can do."""

from fastapi import APIRouter, HTTPException, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from reflector.api.deps import CallerDep, RuntimeDep
from reflector.api.schemas import Health, PlatformHealth, PlatformOut
from reflector.db import WebhookEvent

router = APIRouter(tags=["system"])


@router.get("/health")
async def health(runtime: RuntimeDep, response: Response) -> Health:
    try:
        async with runtime.db.read() as session:
            await session.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError):
        response.status_code = 503
        return Health(status="unavailable", database="unreachable")
    return Health(status="ok", database="ok")


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/v1/platforms")
async def platforms(runtime: RuntimeDep, caller: CallerDep) -> list[PlatformOut]:
    out = []
    for slug in runtime.platforms.slugs:
        spec = runtime.platforms.spec(slug)
        missing = runtime.platforms.missing(slug)
        out.append(
            PlatformOut(
                slug=slug,
                configured=not missing,
                missing=missing,
                capabilities=sorted(spec.client.CAPABILITIES),
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
