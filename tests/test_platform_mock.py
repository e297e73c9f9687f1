from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from reflector.video_platforms.mock import MockSettings
from reflector.video_platforms.mock.vendor import MockVendor
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from tests.platform_contract import Kind, PlatformContract
from tests.support import (
    MOCK_API_KEY,
    MOCK_API_URL,
    MOCK_SECRET,
    START,
    mock_event,
    mock_recording_ready,
    mock_signature,
)


class TestMockContract(PlatformContract):
    """The mock with its own API: every capability goes through its vendor side over HTTP."""

    slug = "mock"
    room_name_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"

    def platform_settings(self) -> VideoPlatformConfig:
        return MockSettings(
            _env_file=None,
            webhook_secret=MOCK_SECRET,
            api_url=MOCK_API_URL,
            api_key=MOCK_API_KEY,
            recording_hosts="127.0.0.1",
        )

    def vendor_transport(self) -> httpx.AsyncBaseTransport | None:
        self.vendor = MockVendor(MOCK_API_KEY)
        return httpx.ASGITransport(app=self.vendor.app())

    def vendor_has_room(self, room_name: str) -> bool | None:
        return room_name in self.vendor.rooms

    def link_holder(self, url: str) -> tuple[str, bool]:
        [token] = parse_qs(urlsplit(url).query)["t"]
        claims = self.vendor.tokens[token]
        assert claims.room_name == urlsplit(url).path.rsplit("/", 1)[1]
        return claims.user_id, claims.is_owner

    def vendor_logo(self, room_name: str) -> bytes | None:
        return self.vendor.logos.get(room_name)

    def signed_webhook(
        self,
        kind: Kind,
        room_name: str,
        participant_id: str,
        at: datetime,
        secret: str | None = None,
    ) -> tuple[str, bytes, dict[str, str]]:
        body = mock_event(f"participant.{kind}", room_name, participant_id, at=at)
        signature = mock_signature(body, int(START.timestamp()), secret or MOCK_SECRET)
        return "/v1/mock/webhook", body, {"X-Mock-Signature": signature}

    def signed_recording_ready(
        self, room_name: str, recording_id: str, participants: list[str]
    ) -> tuple[str, bytes, dict[str, str]]:
        tracks = [
            {"url": f"https://127.0.0.1/{pid}.webm", "participant_id": pid, "offset_seconds": n}
            for n, pid in enumerate(participants)
        ]
        body = mock_recording_ready(room_name, recording_id, tracks)
        headers = {"X-Mock-Signature": mock_signature(body, int(START.timestamp()))}
        return "/v1/mock/webhook", body, headers
