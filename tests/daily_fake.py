"""A fake of Daily's REST API (contracts/daily.md), strict about what it is sent: the bearer
key, the paths, and request bodies checked field by field against the contract; its answers
are the contract's fixtures with our values put in."""

import base64
import json
import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse

from tests.servers import serving_app

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "daily"
API_KEY = "daily-test-api-key-0123456789"
SUBDOMAIN = "acme"
# Room names within §2.6: [A-Za-z0-9_-], and the domain plus the name within 41 characters.
ROOM_NAME = re.compile(r"[A-Za-z0-9_-]{1,128}")
ROOM_FIELDS = {"name", "privacy", "properties"}
ROOM_PROPERTIES = {
    "exp",
    "eject_at_room_exp",
    "enable_knocking",
    "enable_recording",
    "recordings_bucket",
}
TOKEN_PROPERTIES = {"room_name", "user_id", "user_name", "is_owner", "exp", "eject_at_token_exp"}


@contextmanager
def served(fake: "DailyFake") -> Iterator[str]:
    """The fake on a loopback port, for processes of their own; yields `DAILY_API_URL`."""
    with serving_app(fake.app()) as base:
        yield f"{base}/v1"


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def error(status: int, name: str) -> JSONResponse:
    return JSONResponse(fixture(name), status_code=status)


class DailyFake:
    """Daily's side: rooms, tokens, presence, recordings and webhooks, in memory."""

    def __init__(self) -> None:
        self.rooms: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.presence: dict[str, list[dict[str, Any]]] = {}
        self.recordings: list[dict[str, Any]] = []
        self.started: list[tuple[str, dict[str, Any]]] = []
        self.webhooks: list[dict[str, Any]] = []
        self.download_links: dict[str, str] = {}
        self.rate_limited = 0  # answer this many requests with 429 first
        self.requests: list[tuple[str, str]] = []

    def app(self) -> FastAPI:
        """Daily's API as served under `/v1`."""
        served = FastAPI()
        served.mount("/v1", self._api())
        served.state.fake = self
        return served

    def _api(self) -> FastAPI:
        app = FastAPI()
        fake = self

        @app.middleware("http")
        async def check(request: Request, call_next: Any) -> Any:
            fake.requests.append((request.method, request.url.path))
            if request.headers.get("authorization") != f"Bearer {API_KEY}":
                return error(401, "error_401_authentication")
            if fake.rate_limited:
                fake.rate_limited -= 1
                return JSONResponse(fixture("error_429_rate_limit"), 429, {"Retry-After": "0"})
            return await call_next(request)

        @app.post("/rooms")
        async def create_room(request: Request) -> Any:
            body = await request.json()
            assert set(body) <= ROOM_FIELDS, body
            assert set(body["properties"]) <= ROOM_PROPERTIES, body
            assert body["privacy"] == "private"
            assert isinstance(body["properties"]["exp"], int)
            name = body["name"]
            if not ROOM_NAME.fullmatch(name) or len(SUBDOMAIN) + len(name) > 41:
                return error(400, "error_400_invalid_room_name")
            if name in fake.rooms:
                return error(400, "error_400_room_already_exists")
            room = {
                **fixture("create_room_response"),
                "id": str(uuid.uuid4()),
                "name": name,
                "url": f"https://{SUBDOMAIN}.daily.co/{name}",
                "config": body["properties"],
            }
            fake.rooms[name] = room
            return room

        @app.get("/rooms/{name}")
        async def get_room(name: str) -> Any:
            return fake.rooms.get(name) or error(404, "error_404_not_found")

        @app.delete("/rooms/{name}")
        async def delete_room(name: str) -> Any:
            if fake.rooms.pop(name, None) is None:
                return error(404, "error_404_not_found")
            return {"deleted": True, "name": name}

        @app.post("/meeting-tokens")
        async def create_token(request: Request) -> Any:
            properties = (await request.json())["properties"]
            assert set(properties) <= TOKEN_PROPERTIES, properties
            assert properties["room_name"] in fake.rooms, "a token must name its room (§3)"
            assert len(properties["user_id"]) <= 36
            assert isinstance(properties["exp"], int)
            token = base64.urlsafe_b64encode(secrets.token_bytes(24)).decode()
            fake.tokens[token] = properties
            return {"token": token}

        @app.get("/rooms/{name}/presence")
        async def presence(name: str) -> Any:
            if name not in fake.rooms:
                return error(404, "error_404_not_found")
            data = fake.presence.get(name, [])
            return {"total_count": len(data), "data": data}

        @app.post("/rooms/{name}/recordings/start")
        async def start_recording(name: str, request: Request) -> Any:
            body = await request.json()
            assert body["type"] in ("cloud", "raw-tracks")
            assert body["instanceId"] != "c3df927c-f738-4471-a2b7-066fa7e95a6b"
            if body["type"] == "raw-tracks":
                assert body["layout"] == {"preset": "raw-tracks-audio-only"}
            if not fake.presence.get(name):
                return error(404, "error_start_recording_not_hosting")
            if body["instanceId"] in [started["instanceId"] for _, started in fake.started]:
                return error(400, "error_start_recording_active_stream")
            fake.started.append((name, body))
            return {}

        @app.get("/recordings")
        async def list_recordings(limit: int = 100, starting_after: str | None = None) -> Any:
            assert limit <= 100
            found = fake.recordings
            if starting_after is not None:
                ids = [recording["id"] for recording in found]
                found = found[ids.index(starting_after) + 1 :]
            return {"total_count": len(fake.recordings), "data": found[:limit]}

        @app.get("/recordings/{recording_id}/access-link")
        async def access_link(recording_id: str) -> Any:
            if recording_id not in [recording["id"] for recording in fake.recordings]:
                return error(404, "error_404_not_found")
            link = fake.download_links.get(recording_id)
            if link is None:
                raise HTTPException(404)
            return {"download_link": link, "expires": 1772452800}

        @app.get("/webhooks")
        async def list_webhooks() -> Any:
            return fake.webhooks

        @app.post("/webhooks")
        async def create_webhook(request: Request) -> Any:
            body = await request.json()
            assert set(body) == set(fixture("create_webhook_request")), body
            webhook = {**fixture("webhook_object_response"), **body, "uuid": secrets.token_hex(8)}
            fake.webhooks.append(webhook)
            return webhook

        @app.post("/webhooks/{uuid}")
        async def update_webhook(uuid: str, request: Request) -> Any:
            body = await request.json()
            assert set(body) == set(fixture("update_webhook_request_reactivate")), body
            [webhook] = [hook for hook in fake.webhooks if hook["uuid"] == uuid]
            webhook.update(state="ACTIVE", failedCount=0, url=body["url"])
            return webhook

        return app
