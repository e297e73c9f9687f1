"""The one door every platform's webhooks come through.

A platform route takes `body: Annotated[bytes, verified_body(slug)]`: the platform's client
is found (503 when the platform or its webhook secret is not configured), the request is
verified over its raw bytes with the platform's own scheme
(`VideoPlatformClient.verify_webhook`), failures are counted for the WEBHOOK_AUTH_FAILING
alert and answered 401 with nothing stored.
"""

from typing import Any

from fastapi import Depends, HTTPException, Request

from reflector.api.deps import RuntimeDep
from reflector.runtime import Runtime
from reflector.video_platforms.base import VideoPlatformClient
from reflector.video_platforms.errors import PlatformNotConfigured

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or invalid signature"},
    503: {"description": "The platform or its webhook secret is not configured"},
}


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


def verified_body(platform: str) -> Any:
    """A dependency giving the raw body of an authentic webhook of `platform`."""

    async def verified(request: Request, runtime: RuntimeDep) -> bytes:
        client = webhook_client(runtime, platform)
        body = await request.body()
        authentic = client.verify_webhook(request.headers, body)
        authenticate(runtime, platform, authentic, f"missing or invalid {client.SIGNATURE_HEADER}")
        return body

    return Depends(verified)
