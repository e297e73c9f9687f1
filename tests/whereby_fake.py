"""A fake of Whereby's REST API (contracts/whereby.md), strict about what it is sent: the
bearer key, the paths, and request bodies checked field by field against the contract; its
answers are the contract's fixtures with our values put in."""

import json
import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse

from tests.servers import serving_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "whereby"
API_KEY = "whereby-test-api-key-0123456789"
SUBDOMAIN = "acme"
# §3: lowercase letters, digits and "-", at most 39 characters.
PREFIX = re.compile(r"[a-z0-9-]{0,39}")
MEETING_FIELDS = {"endDate", "isLocked", "roomMode", "roomNamePrefix", "roomNamePattern"}
MEETING_FIELDS |= {"fields", "recording"}
DESTINATION_FIELDS = {"provider", "bucket", "accessKeyId", "accessKeySecret", "fileFormat"}
TRIGGERS = {"none", "prompt", "automatic", "automatic-2nd-participant"}


@contextmanager
def served(fake: "WherebyFake") -> Iterator[str]:
    """The fake on a loopback port, for processes of their own; yields `WHEREBY_API_URL`."""
    with serving_app(fake.app()) as base:
        yield f"{base}/v1"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class WherebyFake:
    """Whereby's side: meetings, their logos and their insights, in memory."""

    def __init__(self) -> None:
        self.meetings: dict[str, dict[str, Any]] = {}
        self.created: list[dict[str, Any]] = []
        self.logos: dict[str, bytes] = {}
        # Insights by room name (with its slash): sessions, and participants by session id.
        self.sessions: dict[str, list[dict[str, Any]]] = {}
        self.participants: dict[str, list[dict[str, Any]]] = {}
        self.logo_status = 204  # an error status here makes every logo upload fail
        self.rate_limited = 0  # answer this many requests with 429 first
        self.requests: list[tuple[str, str]] = []

    def room_names(self) -> set[str]:
        return {meeting["roomName"] for meeting in self.meetings.values()}

    def app(self) -> FastAPI:
        """Whereby's API as served under `/v1`."""
        served = FastAPI()
        served.mount("/v1", self._api())
        return served

    def _api(self) -> FastAPI:
        app = FastAPI()
        fake = self

        @app.middleware("http")
        async def check(request: Request, call_next: Any) -> Any:
            fake.requests.append((request.method, request.url.path))
            if request.headers.get("authorization") != f"Bearer {API_KEY}":
                return JSONResponse({"error": "Unauthorized"}, 401)
            if fake.rate_limited:
                fake.rate_limited -= 1
                return JSONResponse(fixture("error_429_rate_limited"), 429, {"Retry-After": "0"})
            return await call_next(request)

        @app.post("/meetings", status_code=201)
        async def create_meeting(request: Request) -> Any:
            assert request.headers["content-type"].startswith("application/json")
            body = await request.json()
            assert set(body) <= MEETING_FIELDS, body
            assert isinstance(body["endDate"], str), body
            assert body.get("roomMode", "normal") in ("normal", "group")
            assert body["fields"] == ["hostRoomUrl"], "the host link is only sent if asked for"
            prefix = body.get("roomNamePrefix", "")
            assert PREFIX.fullmatch(prefix), f"prefix {prefix!r} breaks §3"
            if "recording" in body:
                recording = body["recording"]
                assert recording["type"] == "cloud"
                assert recording["startTrigger"] in TRIGGERS
                destination = recording["destination"]
                assert set(destination) == DESTINATION_FIELDS, destination
                assert destination["provider"] == "s3"
            name = f"{prefix}{uuid.uuid4()}"
            meeting = {
                **fixture("create_meeting_response"),
                "meetingId": str(secrets.randbelow(10**8)),
                "roomName": f"/{name}",
                "roomUrl": f"https://{SUBDOMAIN}.whereby.com/{name}",
                "hostRoomUrl": f"https://{SUBDOMAIN}.whereby.com/{name}?roomKey="
                + secrets.token_urlsafe(24),
            }
            fake.meetings[meeting["meetingId"]] = meeting
            fake.created.append(body)
            return meeting

        @app.delete("/meetings/{meeting_id}", status_code=204)
        async def delete_meeting(meeting_id: str) -> Response:
            fake.meetings.pop(meeting_id, None)  # idempotent (§2.3)
            return Response(status_code=204)

        @app.get("/insights/room-sessions")
        async def room_sessions(roomName: str, limit: int = 10, cursor: str | None = None) -> Any:
            assert roomName.startswith("/"), "the room name keeps its leading slash (§2.4)"
            assert 1 <= limit <= 100
            return _page(fake.sessions.get(roomName, []), limit, cursor)

        @app.get("/insights/participants")
        async def participants(
            roomSessionId: str, limit: int = 10, cursor: str | None = None
        ) -> Any:
            assert 1 <= limit <= 100
            return _page(fake.participants.get(roomSessionId, []), limit, cursor)

        @app.put("/rooms/{room_name}/theme/logo")
        async def logo(room_name: str, request: Request) -> Response:
            content_type = request.headers.get("content-type", "")
            if not content_type.startswith(("multipart/form-data", "application/json")):
                return JSONResponse(
                    {"error": "Content-Type must be multipart/form-data or application/json"},
                    400,
                )
            if fake.logo_status >= 400:
                return JSONResponse({"error": "logo refused"}, fake.logo_status)
            if f"/{room_name}" not in fake.room_names():
                return JSONResponse({"error": "Room not found"}, 404)
            form = await request.form()
            assert list(form) == ["image"], "one file part named image (§2.6)"
            image = form["image"]
            assert not isinstance(image, str)
            fake.logos[f"/{room_name}"] = await image.read()
            return Response(status_code=204)

        return app


def _page(items: list[dict[str, Any]], limit: int, cursor: str | None) -> dict[str, Any]:
    start = int(cursor or 0)
    end = start + limit
    return {"results": items[start:end], "cursor": str(end) if end < len(items) else None}
