"""Test helpers: a settable clock, and signers written from the webhook specs, not our code."""

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import delete, select

from reflector.accounts import auth
from reflector.api.webhooks import platform_router
from reflector.db import (
    ApiKey,
    Job,
    JobState,
    Meeting,
    ParticipantSession,
    RateLimitWindow,
    Room,
    User,
    WebhookEvent,
    WebSession,
)
from reflector.jobs import JobSpec
from reflector.runtime import Runtime
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from reflector.video_platforms.registry import PLATFORMS
from reflector.video_platforms.spec import PlatformSpec
from reflector.worker.execute import run_job

MOCK_SECRET = "test-mock-webhook-secret-0123456789abcdef"
MOCK_API_URL = "http://mock-vendor.test"
MOCK_API_KEY = "test-mock-api-key-0123456789"
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def platform_settings(**chosen: VideoPlatformConfig) -> dict[str, VideoPlatformConfig]:
    """Every registered platform's settings as a new install has them, `chosen` in place."""
    return {**{spec.slug: spec.settings(_env_file=None) for spec in PLATFORMS}, **chosen}


@dataclass
class FakeClock:
    now: datetime = field(default=START)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def mock_signature(body: bytes, timestamp: int, secret: str = MOCK_SECRET) -> str:
    """SPEC §5: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def mock_event(
    type_: str,
    room_name: str,
    participant_id: str = "p1",
    *,
    at: datetime = START,
    event_id: str | None = None,
    user_name: str | None = "Ann",
) -> bytes:
    data: dict[str, Any] = {"room_name": room_name}
    if type_ != "meeting.ended":
        data |= {"participant_id": participant_id, "user_name": user_name}
    return json.dumps(
        {
            "id": event_id or f"evt-{uuid.uuid4()}",
            "type": type_,
            "created_at": at.isoformat().replace("+00:00", "Z"),
            "data": data,
        }
    ).encode()


def mock_recording_ready(
    room_name: str,
    recording_id: str,
    tracks: list[dict[str, Any]],
    *,
    at: datetime = START,
    event_id: str | None = None,
) -> bytes:
    """SPEC §5: a finished recording of the mock platform."""
    return json.dumps(
        {
            "id": event_id or f"evt-{uuid.uuid4()}",
            "type": "recording.ready",
            "created_at": at.isoformat().replace("+00:00", "Z"),
            "data": {"room_name": room_name, "recording_id": recording_id, "tracks": tracks},
        }
    ).encode()


async def new_meeting(
    client: Any, headers: dict[str, str], room: str = "standup", **room_fields: Any
) -> dict[str, Any]:
    """Create a room (if needed) and its meeting through the API."""
    created = await client.post("/v1/rooms", json={"name": room, **room_fields}, headers=headers)
    assert created.status_code in (201, 409), created.text
    response = await client.post(f"/v1/rooms/{room}/meeting", headers=headers)
    assert response.status_code == 200, response.text
    meeting: dict[str, Any] = response.json()
    return meeting


async def send_mock_event(client: Any, body: bytes, timestamp: int) -> Any:
    headers = {"X-Mock-Signature": mock_signature(body, timestamp)}
    return await client.post("/v1/mock/webhook", content=body, headers=headers)


def without_rate_limits(runtime: Runtime) -> None:
    """For tests that create more meetings a minute than a person would."""
    unlimited = {"LINK_RATE_LIMIT_PER_USER": 0, "LINK_RATE_LIMIT_PER_ADDRESS": 0}
    settings = runtime.config.settings.model_copy(update=unlimited)
    object.__setattr__(runtime.config, "settings", settings)


async def empty_tables(runtime: Runtime) -> None:
    async with runtime.db.write() as session:
        tables = (Job, WebhookEvent, ParticipantSession, Meeting, Room, ApiKey, RateLimitWindow)
        for table in (*tables, User, WebSession):
            await session.execute(delete(table))


async def api_key_headers(runtime: Runtime, user: str) -> dict[str, str]:
    key = await auth.create_api_key(runtime.db, runtime.clock, name=user, user_id=user)
    return {"Authorization": f"Bearer {key}"}


async def run_queued(runtime: Runtime, spec: JobSpec) -> list[str | None]:
    """Run, here and now, every pending job of one kind, as a worker would."""
    async with runtime.db.read() as session:
        query = select(Job.id).where(Job.task == spec.name, Job.state == JobState.PENDING)
        queued = (await session.scalars(query.order_by(Job.created_at))).all()
    return [await run_job(runtime, spec, job_id, "test-worker") for job_id in queued]


def platform_paths(spec: PlatformSpec) -> list[str]:
    """The paths of a platform's inbound API, as the app mounts and documents them."""
    app = FastAPI()
    app.include_router(platform_router(spec))
    return list(app.openapi()["paths"])
