"""The mock platform's meeting page: what a platform's own meeting page is to its people.

A room's link (`MOCK_BASE_URL/<room>`) opens it. It shows who is in, as the platform's
record of its rooms has it (`rooms.py`), and lets a developer join and leave under a name.
Each join and leave is a webhook event of the mock's format, signed with `MOCK_WEBHOOK_SECRET`
and let in through the door every webhook comes by (`edge.checked`); the service is the mock
platform here, so the delivery stays in the process instead of going out and back in.
"""

import asyncio
import json
import secrets
import uuid
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from reflector.inbox import edge
from reflector.inbox.edge import Receiving
from reflector.video_platforms.base import SessionData
from reflector.video_platforms.mock.client import MockClient
from reflector.video_platforms.mock.events import PLATFORM
from reflector.video_platforms.mock.rooms import MockRooms
from reflector.video_platforms.mock.webhooks import take_in
from reflector.video_platforms.signatures import sign_t_v1

NAME_MAX_LENGTH = 100
# The platform room names the mock makes: a room's name and a random suffix.
RoomName = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{0,254}$")]
ParticipantId = Annotated[str, Form(min_length=1, max_length=64)]
Name = Annotated[str, Form(max_length=NAME_MAX_LENGTH)]

_STYLESHEET = Path(__file__).with_name("meeting.css")
_templates = Environment(
    loader=PackageLoader("reflector.video_platforms.mock", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
# Shown in a frame of the room page, on this service's origin: that origin may frame it.
# "same-origin", not "no-referrer": under that, browsers send `Origin: null` with the forms.
_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}

router = APIRouter(prefix="/mock", include_in_schema=False)


@router.get("/meeting.css")
async def stylesheet() -> FileResponse:
    return FileResponse(_STYLESHEET, media_type="text/css")


@router.get("/{room_name}")
async def meeting_page(
    request: Request,
    room_name: RoomName,
    name: Annotated[str, Query(max_length=NAME_MAX_LENGTH)] = "",
    you: Annotated[str | None, Query(max_length=64)] = None,
) -> HTMLResponse:
    """The meeting: who is in, and a way in or out."""
    return await _page(request, room_name, name=name, you=you)


@router.post("/{room_name}/join")
async def join(request: Request, room_name: RoomName, name: Name = "") -> Response:
    """Join as `name`: the platform tells the service someone arrived."""
    runtime = await _sender(request)
    name = name.strip()
    if not name:
        problem = f"Say who you are: a name of 1 to {NAME_MAX_LENGTH} characters."
        return await _page(request, room_name, status=400, problem=problem)
    if not await asyncio.to_thread(_rooms(runtime).is_open, room_name):
        return await _page(request, room_name, status=409, name=name)
    participant_id = f"web-{secrets.token_hex(6)}"
    data = {"room_name": room_name, "participant_id": participant_id, "user_name": name}
    await _deliver(runtime, "participant.joined", data)
    return _back(room_name, you=participant_id)


@router.post("/{room_name}/leave")
async def leave(
    request: Request, room_name: RoomName, participant_id: ParticipantId, name: Name = ""
) -> Response:
    """`participant_id` leaves: the platform tells the service they are gone."""
    runtime = await _sender(request)
    data = {"room_name": room_name, "participant_id": participant_id}
    await _deliver(runtime, "participant.left", data)
    return _back(room_name, name=name)


async def _page(
    request: Request,
    room_name: str,
    *,
    status: int = 200,
    problem: str | None = None,
    name: str = "",
    you: str | None = None,
) -> HTMLResponse:
    runtime = await _enabled(request)
    rooms = _rooms(runtime)
    on = await asyncio.to_thread(rooms.is_open, room_name)
    sessions = await asyncio.to_thread(rooms.sessions, room_name) if on else []
    here = [s for s in sessions if s.left_at is None and not s.is_recorder]
    me: SessionData | None = next((s for s in here if s.participant_id == you), None)
    html = _templates.get_template("meeting.html").render(
        room_name=room_name,
        on=on,
        here=here,
        me=me,
        name=name,
        problem=problem,
        unsigned=_missing_secret(runtime),
        name_max_length=NAME_MAX_LENGTH,
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


async def _enabled(request: Request) -> Receiving:
    """The runtime, where the mock platform is on: elsewhere it has no pages."""
    runtime = edge.receiving(request)
    if runtime.platforms.settings(PLATFORM).missing():
        raise HTTPException(404, "the mock platform is not enabled here")
    return runtime


def _rooms(runtime: Receiving) -> MockRooms:
    return runtime.platforms.of(MockClient).rooms


def _missing_secret(runtime: Receiving) -> str | None:
    """Why the page cannot send events, or None when it can."""
    settings = runtime.platforms.settings(PLATFORM)
    if settings.webhook_secret is None:
        return f"{settings.env_name('webhook_secret')} is not set"
    return None


async def _sender(request: Request) -> Receiving:
    """The runtime, for a form sent from this page by a platform that can sign its events."""
    origin = request.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(403, "joining and leaving are done from the meeting's own page")
    runtime = await _enabled(request)
    missing = _missing_secret(runtime)
    if missing is not None:
        raise HTTPException(503, f"the mock platform cannot sign its events: {missing}")
    return runtime


async def _deliver(runtime: Receiving, type_: str, data: dict[str, Any]) -> None:
    client = edge.webhook_client(runtime, PLATFORM)
    assert client.settings.webhook_secret is not None  # checked by _sender
    now = client.context.clock()
    envelope = {"id": f"page-{uuid.uuid4()}", "type": type_, "created_at": now.isoformat()}
    body = json.dumps({**envelope, "data": data}).encode()
    secret = client.settings.webhook_secret.get_secret_value().encode()
    headers = {client.SIGNATURE_HEADER: sign_t_v1(body, secret, int(now.timestamp()))}
    await take_in(edge.checked(runtime, PLATFORM, headers, body))


def _back(room_name: str, **query: str) -> RedirectResponse:
    """To the page again, as a GET, with what it should know about the visitor."""
    params = urlencode({key: value for key, value in query.items() if value})
    return RedirectResponse(f"/mock/{room_name}" + (f"?{params}" if params else ""), 303)
