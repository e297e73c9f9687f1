"""Huddle passes the contract every platform passes, and the core treats it as its own."""

import json
from datetime import datetime

import httpx
from pydantic import SecretStr

from reflector.rooms.reconcile import periodic, reconcile_sessions
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from reflector.video_platforms.signatures import sign_t_v1
from tests.huddle import PLATFORM, REGISTRY
from tests.huddle.settings import HuddleSettings
from tests.huddle.vendor import HuddleVendor
from tests.platform_contract import Kind, PlatformContract
from tests.support import START

SECRET = "huddle-webhook-secret-0123456789abcdef"
KEY = "huddle-api-key-0123456789"


class TestHuddleContract(PlatformContract):
    slug = "huddle"
    specs = REGISTRY
    room_name_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"

    def platform_settings(self) -> VideoPlatformConfig:
        return HuddleSettings(
            _env_file=None,
            api_url="https://api.huddle.test/v1",
            api_key=SecretStr(KEY),
            webhook_secret=SecretStr(SECRET),
        )

    def vendor_transport(self) -> httpx.AsyncBaseTransport | None:
        self.vendor = HuddleVendor(KEY)
        return httpx.ASGITransport(app=self.vendor.app())

    def vendor_has_room(self, room_name: str) -> bool | None:
        return room_name in self.vendor.rooms

    def signed_webhook(
        self,
        kind: Kind,
        room_name: str,
        participant_id: str,
        at: datetime,
        secret: str | None = None,
    ) -> tuple[str, bytes, dict[str, str]]:
        event = {
            "id": f"{kind}:{room_name}:{participant_id}:{at.timestamp()}",
            "type": str(kind),
            "room": room_name,
            "participant": participant_id,
            "at": at.isoformat(),
        }
        body = json.dumps(event).encode()
        signature = sign_t_v1(body, (secret or SECRET).encode(), int(START.timestamp()))
        return "/v1/huddle/webhook", body, {"X-Huddle-Signature": signature}

    async def test_its_sessions_are_reconciled_by_the_core(self, client, alice, runtime, config):
        assert "huddle.reconcile_sessions" in {task.name for task in periodic(config, REGISTRY)}
        meeting = await self._meeting(client, alice)
        room = meeting["platform_room_name"]
        self.vendor.people[room] = [
            {"id": "p1", "name": "Ann", "joined_at": START.isoformat(), "left_at": None}
        ]
        assert await reconcile_sessions(runtime, PLATFORM.slug) == 1
        detail = await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)
        assert [p["display_name"] for p in detail.json()["participants"]] == ["Ann"]
