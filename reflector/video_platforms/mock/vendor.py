"""The mock platform's own REST API: what a cloud platform's API is to its client.

`reflector mock api` serves it for local development; the tests run it as the vendor side
of the mock. State lives in memory. Requests are checked as a strict vendor would: the
bearer key when one is set, the JSON bodies against their models, rooms that must exist.
"""

import hmac
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from reflector.infra.validation import SafeStr, UrlStr

Name = Annotated[SafeStr, Field(min_length=1, pattern=r"^[a-z0-9-]+$")]
LOGO_TYPES = frozenset({"image/png", "image/jpeg", "image/svg+xml", "image/webp"})
LOGO_MAX_BYTES = 1024 * 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RoomIn(_Strict):
    name: Name
    exp: int = Field(gt=0)


class TokenIn(_Strict):
    room_name: Name
    user_id: SafeStr
    user_name: SafeStr | None = None
    is_owner: bool


class TrackIn(_Strict):
    url: UrlStr
    participant_id: SafeStr | None = None
    user_name: SafeStr | None = None
    offset_seconds: float = Field(default=0.0, ge=0)


class RecordingIn(_Strict):
    """A finished recording, as the platform's recorder reports it (the simulator's input)."""

    id: Annotated[SafeStr, Field(min_length=1)]
    room_name: Name
    tracks: list[TrackIn] = Field(min_length=1, max_length=64)


class MockVendor:
    """The platform's state: its rooms, the tokens it minted, logos, finished recordings."""

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = api_key
        self.rooms: dict[str, RoomIn] = {}
        self.tokens: dict[str, TokenIn] = {}
        self.logos: dict[str, bytes] = {}
        self.recordings: list[dict[str, Any]] = []

    def app(self) -> FastAPI:
        app = FastAPI(title="Mock platform API", dependencies=[Depends(self._authorized)])
        app.post("/rooms", status_code=201)(self._create_room)
        app.get("/rooms/{name}")(self._get_room)
        app.delete("/rooms/{name}")(self._delete_room)
        app.put("/rooms/{name}/logo", status_code=204)(self._put_logo)
        app.post("/meeting-tokens")(self._mint_token)
        app.get("/meeting-tokens/{token}")(self._read_token)
        app.post("/recordings", status_code=201)(self._add_recording)
        app.get("/recordings")(self._list_recordings)
        return app

    def _authorized(self, request: Request) -> None:
        if self.api_key is None:
            return
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, f"Bearer {self.api_key}".encode()):
            raise HTTPException(401, "authentication-error")

    def _room(self, name: str) -> RoomIn:
        if name not in self.rooms:
            raise HTTPException(404, f"no room {name!r}")
        return self.rooms[name]

    async def _create_room(self, room: RoomIn) -> RoomIn:
        if room.name in self.rooms:
            raise HTTPException(400, f"a room named {room.name!r} already exists")
        self.rooms[room.name] = room
        return room

    async def _get_room(self, name: str) -> RoomIn:
        return self._room(name)

    async def _delete_room(self, name: str) -> dict[str, Any]:
        self._room(name)
        del self.rooms[name]
        self.logos.pop(name, None)
        return {"name": name, "deleted": True}

    async def _put_logo(self, name: str, image: UploadFile) -> None:
        self._room(name)
        if image.content_type not in LOGO_TYPES:
            raise HTTPException(400, f"image must be one of {', '.join(sorted(LOGO_TYPES))}")
        data = await image.read(LOGO_MAX_BYTES + 1)
        if not data or len(data) > LOGO_MAX_BYTES:
            raise HTTPException(400, f"image must hold 1 to {LOGO_MAX_BYTES} bytes")
        self.logos[name] = data

    async def _mint_token(self, claims: TokenIn) -> dict[str, str]:
        self._room(claims.room_name)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = claims
        return {"token": token}

    async def _read_token(self, token: str) -> TokenIn:
        if token not in self.tokens:
            raise HTTPException(404, "unknown token")
        return self.tokens[token]

    async def _add_recording(self, recording: RecordingIn) -> dict[str, Any]:
        entry = {**recording.model_dump(), "created_at": datetime.now(UTC).isoformat()}
        self.recordings.insert(0, entry)
        return entry

    async def _list_recordings(self) -> dict[str, Any]:
        """Newest first, as cloud platforms list them."""
        return {"total_count": len(self.recordings), "data": self.recordings}
