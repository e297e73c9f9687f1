"""Each platform's inbound routes, under `/v1/<slug>`: one verified-webhook route for each
path the platform lists, then the routes of its own."""

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request

from reflector.config.limits import WEBHOOK_MAX_BODY
from reflector.inbox import edge
from reflector.inbox.edge import WebhookAck
from reflector.video_platforms.spec import PlatformSpec

Receiver = Callable[[Request], Awaitable[WebhookAck]]


def platform_router(spec: PlatformSpec) -> APIRouter:
    router = APIRouter(prefix=f"/v1/{spec.slug}", tags=[spec.slug], max_body_size=WEBHOOK_MAX_BODY)
    for route in spec.webhooks:
        router.add_api_route(
            route.path,
            _receiver(spec.slug),
            methods=["POST"],
            description=route.description,
            responses=edge.RESPONSES,
            name=f"{spec.slug} webhook {route.path}".rstrip(),
            summary=f"{spec.title} webhook",
        )
    if spec.router is not None:
        router.include_router(spec.router)
    return router


def _receiver(slug: str) -> Receiver:
    async def receive(request: Request) -> WebhookAck:
        delivery = await edge.verified(request, slug)
        if delivery.client.is_endpoint_check(delivery.body):
            return WebhookAck(status="processed", event_id=None)
        event = delivery.client.translate(delivery.body)
        return WebhookAck.of(await delivery.runtime.inbox.receive(event))

    return receive
