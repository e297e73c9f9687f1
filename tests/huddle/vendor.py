"""Huddle's side of its API, as strict as a vendor: the bearer key, bodies checked against
their models, rooms that must exist."""

import hmac
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class RoomIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,255}$")]
    expires_at: AwareDatetime


class HuddleVendor:
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.rooms: dict[str, datetime] = {}
        self.people: dict[str, list[dict[str, Any]]] = {}

    def app(self) -> FastAPI:
        app = FastAPI(dependencies=[Depends(self._authorized)])
        app.post("/v1/rooms", status_code=201)(self._create)
        app.delete("/v1/rooms/{name}", status_code=204)(self._delete)
        app.get("/v1/rooms/{name}/people")(self._people)
        return app

    def _authorized(self, request: Request) -> None:
        given = request.headers.get("authorization", "").encode()
        if not hmac.compare_digest(given, f"Bearer {self.api_key}".encode()):
            raise HTTPException(401, "unknown key")

    async def _create(self, room: RoomIn) -> dict[str, str]:
        if room.name in self.rooms:
            raise HTTPException(409, f"room {room.name} exists")
        self.rooms[room.name] = room.expires_at
        url = f"https://huddle.test/{room.name}"
        return {"name": room.name, "url": url, "host_url": f"{url}?host=1"}

    async def _delete(self, name: str) -> None:
        if self.rooms.pop(name, None) is None:
            raise HTTPException(404, f"no room {name}")

    async def _people(self, name: str) -> dict[str, Any]:
        if name not in self.rooms:
            raise HTTPException(404, f"no room {name}")
        return {"people": self.people.get(name, [])}
