"""Events out to a room's `webhook_url`, signed as Standard Webhooks specifies.

Each event gets a `webhook-id` that stays the same on every retry, a `webhook-timestamp` of
the attempt, and `webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`
keyed with the room's `whsec_` secret. Deliveries are jobs: retried with backoff on failure,
each attempt logged; a 410 from the receiver stops them. Like recording downloads, they only
go to public addresses (unless `WEBHOOK_ALLOW_PRIVATE_TARGETS`), connecting to the address
that was checked.
"""

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector import USER_AGENT, jobs
from reflector.config.settings import Settings
from reflector.db import Room, WebhookDelivery
from reflector.infra.errors import InvalidField
from reflector.infra.fetch import ANY_HOST, FetchPolicy, FetchRefused, checked_target
from reflector.jobs import JobContext

KEY_PREFIX = "whsec_"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def _policy(settings: Settings) -> FetchPolicy:
    return FetchPolicy(
        (ANY_HOST,),
        max_bytes=0,
        schemes=("https", "http"),
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    )


async def check_target(url: str, settings: Settings) -> None:
    """Refuse a `webhook_url` that delivery would refuse, when it is set. A name that does
    not resolve now is accepted: DNS may be down for a moment, and every delivery checks
    again (a name may also resolve elsewhere by then)."""
    try:
        await checked_target(url, _policy(settings))
    except FetchRefused as exc:
        reason = str(exc)
        if "non-public" in reason:
            reason += "; set WEBHOOK_ALLOW_PRIVATE_TARGETS=true to send to internal receivers"
        raise InvalidField(("body", "webhook_url"), reason) from None
    except jobs.TransientJobError:
        return


def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and base64 of 32 random bytes."""
    return KEY_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(KEY_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


async def enqueue_event(
    session: AsyncSession, ctx: JobContext, room: Room, event_type: str, data: dict[str, Any]
) -> str | None:
    """Queue an event for the room's webhook in the caller's transaction; None without a URL."""
    if not room.webhook_url:
        return None
    message_id = f"msg_{uuid.uuid4().hex}"
    payload = {"type": event_type, "timestamp": ctx.clock().isoformat(), "data": data}
    args = {
        "room_id": str(room.id),
        "message_id": message_id,
        "type": event_type,
        "payload": payload,
    }
    await jobs.enqueue(session, DELIVER, args, ctx.clock())
    return message_id


async def deliver(ctx: JobContext, args: jobs.JobArgs) -> None:
    async with ctx.db.read() as session:
        room = await session.get(Room, uuid.UUID(str(args["room_id"])))
    if room is None or not room.webhook_url or not room.webhook_secret:
        return
    message_id = str(args["message_id"])
    body = json.dumps(args["payload"], separators=(",", ":")).encode()
    timestamp = int(ctx.clock().timestamp())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(room.webhook_secret, message_id, timestamp, body),
    }
    policy = _policy(ctx.config.settings)
    status: int | None = None
    error: str | None = None
    try:
        target = await checked_target(room.webhook_url, policy)
        async with httpx.AsyncClient(timeout=TIMEOUT, follow_redirects=False) as client:
            response = await client.send(
                target.request(client, "POST", content=body, headers=headers)
            )
        status = response.status_code
    except (FetchRefused, jobs.TransientJobError) as exc:
        await _log(ctx, room, args, None, str(exc)[:500])
        raise
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    await _log(ctx, room, args, status, error)
    if status is not None and 200 <= status < 300:
        return
    if status == 410:
        raise jobs.PermanentJobError("the receiver answered 410 Gone: delivery stopped")
    raise jobs.TransientJobError(error or f"the receiver answered {status}")


async def _log(
    ctx: JobContext, room: Room, args: jobs.JobArgs, status: int | None, error: str | None
) -> None:
    message_id = str(args["message_id"])
    async with ctx.db.write() as session:
        earlier = await session.scalar(
            select(func.count()).where(WebhookDelivery.message_id == message_id)
        )
        session.add(
            WebhookDelivery(
                room_id=room.id,
                message_id=message_id,
                event_type=str(args["type"]),
                attempt=(earlier or 0) + 1,
                url=room.webhook_url or "",
                status_code=status,
                error=error,
                created_at=ctx.clock(),
            )
        )


async def deliveries(
    session: AsyncSession, room_id: uuid.UUID, limit: int
) -> list[WebhookDelivery]:
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.room_id == room_id)
        .order_by(WebhookDelivery.created_at.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


DELIVER = jobs.JobSpec("reflector.deliver_room_webhook", deliver, soft_time_limit=30, time_limit=45)
