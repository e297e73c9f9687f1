"""The one door every platform's webhooks come through.

A platform route starts with `delivery = await verified(request, SLUG)`: the platform's
client is found (503 when the platform or its webhook secret is not configured), the request
is verified over its raw bytes with the platform's own scheme
(`VideoPlatformClient.verify_webhook`), failures are counted for the WEBHOOK_AUTH_FAILING
alert and answered 401 with nothing stored.

A plain call rather than a FastAPI dependency: webhooks are the busiest routes, and solving
dependencies cost more than verifying the signature (bench/webhook_ingest.py).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request

from reflector.api.deps import get_runtime
from reflector.runtime import Runtime
from reflector.video_platforms.base import VideoPlatformClient
from reflector.video_platforms.errors import PlatformNotConfigured

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid signature"},
    503: {"description": "The platform or its webhook secret is not configured"},
}


@dataclass(frozen=True)
class Delivery:
    """An authentic webhook: its raw bytes, and the platform client that verified them."""

    runtime: Runtime
    client: VideoPlatformClient[Any]
    body: bytes


def webhook_client(runtime: Runtime, platform: str) -> VideoPlatformClient[Any]:
    """The platform's client, if it can authenticate webhooks; 503 otherwise."""
    try:
        client = runtime.platforms.client(platform)
    except PlatformNotConfigured as exc:
        raise HTTPException(503, str(exc)) from None
    if client.settings.webhook_secret is None:
        raise HTTPException(503, f"{client.settings.env_name('webhook_secret')} is not set")
    return client


def authenticate(runtime: Runtime, platform: str, authentic: bool, refusal: str) -> None:
    """Count the outcome; a request that is not authentic is answered 401."""
    if not authentic:
        runtime.webhook_auth.rejected(platform)
        raise HTTPException(401, refusal)
    runtime.webhook_auth.verified(platform)


async def verified(request: Request, platform: str) -> Delivery:
    """The webhook of `platform` in `request`, once it is known to be authentic."""
    runtime = await get_runtime(request)
    return checked(runtime, platform, request.headers, await request.body())


def checked(runtime: Runtime, platform: str, headers: Mapping[str, str], body: bytes) -> Delivery:
    """A webhook given as its headers and raw bytes, once it is known to be authentic."""
    client = webhook_client(runtime, platform)
    authentic = client.verify_webhook(headers, body)
    authenticate(runtime, platform, authentic, f"missing or invalid {client.SIGNATURE_HEADER}")
    return Delivery(runtime, client, body)
