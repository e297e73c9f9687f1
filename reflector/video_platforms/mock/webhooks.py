import asyncio

from fastapi import APIRouter, HTTPException, Request

from reflector.inbox import edge
from reflector.inbox.actions import ParticipantJoined, ParticipantLeft
from reflector.inbox.edge import Delivery, WebhookAck
from reflector.video_platforms.mock.client import MockClient
from reflector.video_platforms.mock.events import PLATFORM, translate

# Its own webhook route rather than the core's: what the mock sends, its record learns.
router = APIRouter()


@router.post("/webhook", responses=edge.RESPONSES)
async def receive_webhook(request: Request) -> WebhookAck:
    """Events of the mock platform, signed `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`."""
    return await take_in(await edge.verified(request, PLATFORM))


async def take_in(delivery: Delivery) -> WebhookAck:
    """An authentic event of the mock's, however it came: the platform's record learns who
    came and went (whoever signs the mock's events speaks for the platform: what it sent, it
    saw), then the inbox takes it."""
    event = translate(delivery.body)
    await delivery.runtime.platforms.of(MockClient).note(event)
    return WebhookAck.of(await delivery.runtime.inbox.receive(event))


@router.post(
    "/presence",
    status_code=204,
    responses={
        **edge.RESPONSES,
        404: {"description": "The platform has no such room open"},
        422: {"description": "Not a participant event"},
    },
)
async def report_presence(request: Request) -> None:
    """Tell the mock platform about a participant event whose webhook was lost.

    Same body and signature as a webhook. Nothing reaches the inbox: the platform now knows,
    and reconciliation through its sessions API is what brings it to the meeting.
    """
    delivery = await edge.verified(request, PLATFORM)
    [action] = translate(delivery.body).actions or [None]
    if not isinstance(action, ParticipantJoined | ParticipantLeft):
        raise HTTPException(422, "expected a valid participant.joined or participant.left event")
    rooms = delivery.runtime.platforms.of(MockClient).rooms
    if not await asyncio.to_thread(rooms.observe, action):
        raise HTTPException(404, f"the mock platform has no room {action.room_name!r} open")
