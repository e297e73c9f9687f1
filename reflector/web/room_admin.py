"""The rooms one can use: list with live counts, create, edit, delete."""

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from reflector.api.deps import RuntimeDep
from reflector.db import Room
from reflector.db.kinds import (
    Answer,
    Consent,
    MixedOnRefusal,
    RecordingTrigger,
    RecordingType,
    RoomMode,
)
from reflector.infra.errors import Conflict, InvalidField
from reflector.infra.validation import message
from reflector.rooms import directory, meetings, removal
from reflector.rooms.fields import ROOM_NAME_RULES, RoomCreate, RoomUpdate
from reflector.runtime import Runtime
from reflector.video_platforms.base import Capability
from reflector.web.access import SignedIn, Visitor, checked_form
from reflector.web.render import PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# What each choice means, in words; the value sent is the API's.
LABELS = {
    "recording_type": {
        RecordingType.NONE.value: "No recording",
        RecordingType.LOCAL.value: "Recorded in a participant's browser (local)",
        RecordingType.CLOUD.value: "Recorded by the platform (cloud)",
    },
    "recording_trigger": {
        RecordingTrigger.NONE.value: "Only when someone starts it",
        RecordingTrigger.PROMPT.value: "Ask when the meeting starts",
        RecordingTrigger.AUTOMATIC.value: "When the first person joins",
        RecordingTrigger.AUTOMATIC_2ND_PARTICIPANT.value: "When a second person joins",
    },
    "room_mode": {
        RoomMode.NORMAL.value: "Normal: small meetings",
        RoomMode.GROUP.value: "Group: larger meetings",
    },
    "consent": {
        Consent.NONE.value: "Don't ask",
        Consent.ASK.value: "Ask everyone who joins first",
    },
    "consent_default": {
        Answer.REFUSE.value: "Refused: their voice is not kept",
        Answer.AGREE.value: "Agreed",
    },
    "mixed_on_refusal": {
        MixedOnRefusal.TRANSCRIBE.value: "Transcribe, then delete the audio",
        MixedOnRefusal.SKIP.value: "Delete it untranscribed",
    },
}
_CHOICES = (
    "name",
    "title",
    "platform",
    "room_mode",
    "recording_type",
    "recording_trigger",
    "consent",
    "consent_default",
    "mixed_on_refusal",
)
# Number fields whose empty value means "none": the service's own limit.
_DAYS = ("retention_media_days", "retention_transcript_days")
_FLAGS = ("is_locked", "is_shared")


@dataclass(frozen=True)
class PlatformChoice:
    slug: str
    title: str
    capabilities: frozenset[Capability]

    @property
    def default_recording(self) -> str:
        return directory.default_recording(self.capabilities).value


def platform_choices(runtime: Runtime) -> list[PlatformChoice]:
    """The configured platforms, each with what it can do."""
    found = runtime.platforms
    return [
        PlatformChoice(slug, found.title(slug), found.capabilities(slug))
        for slug in found.slugs
        if found.is_configured(slug)
    ]


def unconfigured(runtime: Runtime) -> list[str]:
    """The platforms a room cannot use here, each with the settings it lacks."""
    found = runtime.platforms
    return [
        f"{found.title(slug)} (set {', '.join(found.missing(slug))})"
        for slug in found.slugs
        if not found.is_configured(slug)
    ]


@router.get("/rooms")
async def rooms_page(request: Request, runtime: RuntimeDep, visitor: SignedIn) -> Response:
    found, _ = await directory.list_visible(runtime, visitor.caller, 1, 100)
    async with runtime.db.read() as session:
        live = await meetings.live(session, [r.id for r in found], runtime.clock())
    in_room = {room_id: count for room_id, (_, count) in live.items()}
    titles = {slug: runtime.platforms.title(slug) for slug in runtime.platforms.slugs}
    return page(request, "rooms.html", visitor=visitor, rooms=found, in_room=in_room, titles=titles)


@router.get("/rooms/new")
async def new_room_page(request: Request, runtime: RuntimeDep, visitor: SignedIn) -> Response:
    return _form(request, runtime, visitor, None, {})


@router.post("/rooms/new")
async def create_room(request: Request, runtime: RuntimeDep, visitor: SignedIn) -> Response:
    form = await checked_form(request, visitor)
    fields = _fields(form)
    try:
        room = await directory.create(runtime, visitor.caller, RoomCreate.model_validate(fields))
    except (ValidationError, InvalidField, Conflict) as exc:
        return _form(request, runtime, visitor, None, fields, _errors(exc), 422)
    return RedirectResponse(f"/r/{room.name}", status_code=303)


@router.get("/rooms/{room_id}/edit")
async def edit_room_page(
    room_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    async with runtime.db.read() as session:
        room = await directory.get_owned(session, visitor.caller, room_id)
    return _form(request, runtime, visitor, room, {})


@router.post("/rooms/{room_id}/edit")
async def edit_room(
    room_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    form = await checked_form(request, visitor)
    async with runtime.db.read() as session:
        room = await directory.get_owned(session, visitor.caller, room_id)
    fields = _fields(form)
    try:
        data = RoomUpdate.model_validate(fields)
        room = await directory.update(runtime, visitor.caller, room_id, data)
    except (ValidationError, InvalidField, Conflict) as exc:
        return _form(request, runtime, visitor, room, fields, _errors(exc), 422)
    return RedirectResponse("/rooms", status_code=303)


@router.get("/rooms/{room_id}/delete")
async def delete_room_page(
    room_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    async with runtime.db.read() as session:
        room = await directory.get_owned(session, visitor.caller, room_id)
    return page(
        request,
        "confirm.html",
        visitor=visitor,
        title=f"Delete the room {room.title or room.name}?",
        warning="Its meetings, recordings and transcripts are deleted with it.",
        action=f"/rooms/{room.id}/delete",
        button="Delete the room",
        back="/rooms",
    )


@router.post("/rooms/{room_id}/delete")
async def delete_room(
    room_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    await checked_form(request, visitor)
    await removal.delete_room(runtime, visitor.caller, room_id)
    return RedirectResponse("/rooms", status_code=303)


def _fields(form: FormData) -> dict[str, Any]:
    """The form as the API's body: empty text is "not given", a checkbox is there or not."""
    fields: dict[str, Any] = {}
    for name in _CHOICES:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            fields[name] = value.strip()
    for name in _FLAGS:
        fields[name] = form.get(name) == "on"
    for name in _DAYS:
        value = form.get(name)
        fields[name] = value.strip() or None if isinstance(value, str) else None
    webhook_url = form.get("webhook_url")
    fields["webhook_url"] = webhook_url.strip() or None if isinstance(webhook_url, str) else None
    return fields


def _errors(exc: ValidationError | InvalidField | Conflict) -> dict[str, str]:
    if isinstance(exc, InvalidField):
        return {exc.location[-1]: exc.message}
    if isinstance(exc, Conflict):  # the one conflict a room form can meet: a taken name
        return {"name": exc.message}
    messages = {}
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else "form"
        messages[field] = message(error)
    return messages


def _form(
    request: Request,
    runtime: Runtime,
    visitor: Visitor,
    room: Room | None,
    sent: dict[str, Any],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    platform = room.platform if room else runtime.config.settings.DEFAULT_VIDEO_PLATFORM
    current: dict[str, Any] = {
        "name": room.name if room else "",
        "title": (room.title if room else "") or "",
        "platform": platform,
        "room_mode": room.room_mode if room else RoomMode.NORMAL.value,
        "recording_type": (
            room.recording_type
            if room
            else directory.default_recording(runtime.platforms.capabilities(platform)).value
        ),
        "recording_trigger": (
            room.recording_trigger if room else RecordingTrigger.AUTOMATIC_2ND_PARTICIPANT.value
        ),
        "is_locked": room.is_locked if room else False,
        "is_shared": room.is_shared if room else False,
        "webhook_url": (room.webhook_url if room else "") or "",
        "consent": room.consent if room else Consent.NONE.value,
        "consent_default": (room.consent_default if room else None) or Answer.REFUSE.value,
        "mixed_on_refusal": room.mixed_on_refusal if room else MixedOnRefusal.TRANSCRIBE.value,
        "retention_media_days": _days(room.retention_media_days if room else None),
        "retention_transcript_days": _days(room.retention_transcript_days if room else None),
    }
    current.update({key: value for key, value in sent.items() if value is not None})
    return page(
        request,
        "room_form.html",
        status,
        visitor=visitor,
        room=room,
        values=current,
        errors=errors or {},
        platforms=platform_choices(runtime),
        unconfigured=unconfigured(runtime),
        needs=directory.RECORDING_NEEDS,
        labels=LABELS,
        name_rules=ROOM_NAME_RULES,
        service_days={
            "retention_media_days": runtime.config.settings.RETENTION_MEDIA_DAYS,
            "retention_transcript_days": runtime.config.settings.RETENTION_TRANSCRIPT_DAYS,
        },
    )


def _days(days: int | None) -> str:
    return "" if days is None else str(days)
