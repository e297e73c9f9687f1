from fastapi import APIRouter, HTTPException, Request

from reflector.api.deps import RuntimeDep
from reflector.api.schemas import WebhookAck
from reflector.limits import WEBHOOK_MAX_BODY
from reflector.video_platforms.mock.events import PLATFORM, translate

SIGNATURE_HEADER = "X-Mock-Signature"

router = APIRouter(prefix="/v1/mock", tags=["mock"], max_body_size=WEBHOOK_MAX_BODY)


@router.post(
    "/webhook",
    responses={
        401: {"description": "Missing or invalid signature"},
        503: {"description": "Not configured"},
    },
)
async def receive_webhook(request: Request, runtime: RuntimeDep) -> WebhookAck:
    """Events of the mock platform, signed `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    client = runtime.platforms.client(PLATFORM)
    if client.settings.webhook_secret is None:
        raise HTTPException(503, f"{client.settings.env_name('webhook_secret')} is not set")
    body = await request.body()
    if not client.verify_webhook_signature(body, request.headers.get(SIGNATURE_HEADER, "")):
        runtime.webhook_auth.rejected(PLATFORM)
        raise HTTPException(401, f"missing or invalid {SIGNATURE_HEADER}")
    runtime.webhook_auth.verified(PLATFORM)
    return WebhookAck.of(await runtime.inbox.receive(translate(body)))
