import json

from fastapi import APIRouter, Request

from reflector.api import webhook_edge
from reflector.api.schemas import WebhookAck
from reflector.config.limits import WEBHOOK_MAX_BODY
from reflector.video_platforms.daily.events import PLATFORM

router = APIRouter(prefix="/v1/daily", tags=["daily"], max_body_size=WEBHOOK_MAX_BODY)


@router.post("/webhook", responses=webhook_edge.RESPONSES)
async def receive_webhook(request: Request) -> WebhookAck:
    """Daily's webhooks, signed `X-Webhook-Signature` over "<X-Webhook-Timestamp>.<body>".

    Answered 200 for every authentic body, the registration probe included (§6.2, §6.4).
    """
    delivery = await webhook_edge.verified(request, PLATFORM)
    if _is_probe(delivery.body):
        return WebhookAck(status="processed", event_id=None)
    event = delivery.client.translate(delivery.body)
    return WebhookAck.of(await delivery.runtime.inbox.receive(event))


def _is_probe(body: bytes) -> bool:
    """Daily's endpoint check when a webhook is created: an object with `test`, no `type`."""
    try:
        data = json.loads(body)
    except ValueError:
        return False
    return isinstance(data, dict) and "test" in data and "type" not in data
