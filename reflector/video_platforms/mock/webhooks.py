from fastapi import APIRouter, HTTPException, Request

from reflector.api.deps import RuntimeDep
from reflector.api.schemas import WebhookAck
from reflector.inbox import ParticipantJoined, ParticipantLeft
from reflector.limits import WEBHOOK_MAX_BODY
from reflector.runtime import Runtime
from reflector.video_platforms.mock import presence
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
    body = await _verified_body(request, runtime)
    return WebhookAck.of(await runtime.inbox.receive(translate(body)))


@router.post(
    "/presence",
    status_code=204,
    responses={
        401: {"description": "Missing or invalid signature"},
        422: {"description": "Not a participant event"},
    },
)
async def report_presence(request: Request, runtime: RuntimeDep) -> None:
    """Tell the mock platform about a participant event whose webhook was lost.

    Same body and signature as a webhook. Nothing reaches the inbox: the platform now knows,
    and reconciliation through its sessions API is what brings it to the meeting.
    """
    body = await _verified_body(request, runtime)
    [action] = translate(body).actions or [None]
    if not isinstance(action, ParticipantJoined | ParticipantLeft):
        raise HTTPException(422, "expected a valid participant.joined or participant.left event")
    async with runtime.db.write() as session:
        await presence.observe(session, action)


async def _verified_body(request: Request, runtime: Runtime) -> bytes:
    client = runtime.platforms.client(PLATFORM)
    if client.settings.webhook_secret is None:
        raise HTTPException(503, f"{client.settings.env_name('webhook_secret')} is not set")
    body = await request.body()
    if not client.verify_webhook_signature(body, request.headers.get(SIGNATURE_HEADER, "")):
        runtime.webhook_auth.rejected(PLATFORM)
        raise HTTPException(401, f"missing or invalid {SIGNATURE_HEADER}")
    runtime.webhook_auth.verified(PLATFORM)
    return body
