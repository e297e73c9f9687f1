"""The one door every platform's webhooks come through.

The core mounts a route for each path a platform lists in `PlatformSpec.webhooks`
(`api/webhooks.py`); a route of the platform's own starts the same way, with
`delivery = await verified(request, SLUG)`. Either way the platform's
client is found (503 when the platform or its webhook secret is not configured), the request
is verified over its raw bytes with the platform's own scheme
(`VideoPlatformClient.verify_webhook`), failures are counted for the WEBHOOK_AUTH_FAILING
alert and answered 401 with nothing stored.

A plain call rather than a FastAPI dependency: webhooks are the busiest routes, and solving
dependencies cost more than verifying the signature (bench/webhook_ingest.py).
"""

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

from fastapi import HTTPException, Request
from pydantic import BaseModel

from reflector.inbox.auth_failures import WebhookAuthMonitor
from reflector.inbox.receiving import Inbox, Receipt
from reflector.jobs import JobContext
from reflector.video_platforms.base import VideoPlatformClient
from reflector.video_platforms.errors import PlatformNotConfigured

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid signature"},
    503: {"description": "The platform or its webhook secret is not configured"},
}


class Receiving(JobContext, Protocol):
    """What the door needs of the process: a job's services, the failure count, the inbox."""

    @property
    def webhook_auth(self) -> WebhookAuthMonitor: ...

    @property
    def inbox(self) -> Inbox: ...


class WebhookAck(BaseModel):
    """Every authentic event is acknowledged, also when it is parked or unusable."""

    status: Literal["processed", "parked", "failed", "duplicate"]
    event_id: uuid.UUID | None

    @classmethod
    def of(cls, receipt: Receipt) -> "WebhookAck":
        if receipt.duplicate or receipt.status is None:
            return cls(status="duplicate", event_id=None)
        return cls(status=receipt.status.value, event_id=receipt.event_id)


@dataclass(frozen=True)
class Delivery:
    """An authentic webhook: its raw bytes, and the platform client that verified them."""

    runtime: Receiving
    client: VideoPlatformClient[Any]
    body: bytes


def receiving(request: Request) -> Receiving:
    """The process's services, as the app holds them."""
    return cast(Receiving, request.app.state.runtime)


def webhook_client(runtime: Receiving, platform: str) -> VideoPlatformClient[Any]:
    """The platform's client, if it can authenticate webhooks; 503 otherwise."""
    try:
        client = runtime.platforms.client(platform)
    except PlatformNotConfigured as exc:
        raise HTTPException(503, str(exc)) from None
    if client.settings.webhook_secret is None:
        raise HTTPException(503, f"{client.settings.env_name('webhook_secret')} is not set")
    return client


def authenticate(runtime: Receiving, platform: str, authentic: bool, refusal: str) -> None:
    """Count the outcome; a request that is not authentic is answered 401."""
    if not authentic:
        runtime.webhook_auth.rejected(platform)
        raise HTTPException(401, refusal)
    runtime.webhook_auth.verified(platform)


async def verified(request: Request, platform: str) -> Delivery:
    """The webhook of `platform` in `request`, once it is known to be authentic."""
    runtime = receiving(request)
    return checked(runtime, platform, request.headers, await request.body())


def checked(runtime: Receiving, platform: str, headers: Mapping[str, str], body: bytes) -> Delivery:
    """A webhook given as its headers and raw bytes, once it is known to be authentic."""
    client = webhook_client(runtime, platform)
    authentic = client.verify_webhook(headers, body)
    authenticate(runtime, platform, authentic, f"missing or invalid {client.SIGNATURE_HEADER}")
    return Delivery(runtime, client, body)
