import asyncio

from fastapi import APIRouter, HTTPException, Request

from reflector.api import webhook_edge
from reflector.api.schemas import WebhookAck
from reflector.config.limits import WEBHOOK_MAX_BODY
from reflector.inbox.actions import ParticipantJoined, ParticipantLeft
from reflector.video_platforms.mock.client import MockClient
from reflector.video_platforms.mock.events import PLATFORM, translate

router = APIRouter(prefix="/v1/mock", tags=["mock"], max_body_size=WEBHOOK_MAX_BODY)


@router.post("/webhook", responses=webhook_edge.RESPONSES)
async def receive_webhook(request: Request) -> WebhookAck:
    """Events of the mock platform, signed `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    delivery = await webhook_edge.verified(request, PLATFORM)
    event = translate(delivery.body)
    # Whoever signs the mock's events speaks for the platform: what it sent, it saw.
    await delivery.runtime.platforms.of(MockClient).note(event)
    return WebhookAck.of(await delivery.runtime.inbox.receive(event))


@router.post(
    "/presence",
    status_code=204,
    responses={
        **webhook_edge.RESPONSES,
        404: {"description": "The platform has no such room open"},
        422: {"description": "Not a participant event"},
    },
)
async def report_presence(request: Request) -> None:
    """Tell the mock platform about a participant event whose webhook was lost.

    Same body and signature as a webhook. Nothing reaches the inbox: the platform now knows,
    and reconciliation through its sessions API is what brings it to the meeting.
    """
    delivery = await webhook_edge.verified(request, PLATFORM)
    [action] = translate(delivery.body).actions or [None]
    if not isinstance(action, ParticipantJoined | ParticipantLeft):
        raise HTTPException(422, "expected a valid participant.joined or participant.left event")
    rooms = delivery.runtime.platforms.of(MockClient).rooms
    if not await asyncio.to_thread(rooms.observe, action):
        raise HTTPException(404, f"the mock platform has no room {action.room_name!r} open")
