from fastapi import APIRouter, Request

from reflector.api import webhook_edge
from reflector.api.schemas import WebhookAck
from reflector.config.limits import WEBHOOK_MAX_BODY
from reflector.video_platforms.whereby.events import PLATFORM

router = APIRouter(prefix="/v1/whereby", tags=["whereby"], max_body_size=WEBHOOK_MAX_BODY)


@router.post("", responses=webhook_edge.RESPONSES)
async def receive_webhook(request: Request) -> WebhookAck:
    """Whereby's webhooks, signed `Whereby-Signature: t=<unix>,v1=<hex HMAC-SHA256 of
    "<t>.<body>">` with the dashboard's secret (contracts/whereby.md §4.4).

    Answered 2xx for every authentic event: Whereby drops what gets a 4xx (§4.5).
    """
    delivery = await webhook_edge.verified(request, PLATFORM)
    event = delivery.client.translate(delivery.body)
    return WebhookAck.of(await delivery.runtime.inbox.receive(event))
