import json
from typing import Annotated

from fastapi import APIRouter

from reflector.api import webhook_edge
from reflector.api.deps import RuntimeDep
from reflector.api.schemas import WebhookAck
from reflector.limits import WEBHOOK_MAX_BODY
from reflector.video_platforms.daily.client import DailyClient
from reflector.video_platforms.daily.events import PLATFORM

router = APIRouter(prefix="/v1/daily", tags=["daily"], max_body_size=WEBHOOK_MAX_BODY)
VerifiedBody = Annotated[bytes, webhook_edge.verified_body(PLATFORM)]


@router.post("/webhook", responses=webhook_edge.RESPONSES)
async def receive_webhook(body: VerifiedBody, runtime: RuntimeDep) -> WebhookAck:
    """Daily's webhooks, signed `X-Webhook-Signature` over "<X-Webhook-Timestamp>.<body>".

    Answered 200 for every authentic body, the registration probe included (§6.2, §6.4).
    """
    if _is_probe(body):
        return WebhookAck(status="processed", event_id=None)
    client = runtime.platforms.client(PLATFORM)
    assert isinstance(client, DailyClient)
    return WebhookAck.of(await runtime.inbox.receive(client.translate(body)))


def _is_probe(body: bytes) -> bool:
    """Daily's endpoint check when a webhook is created: an object with `test`, no `type`."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and "test" in data and "type" not in data
