from datetime import datetime

import httpx

from reflector.video_platforms.mock import MockSettings
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from tests.platform_contract import Kind, PlatformContract
from tests.support import MOCK_SECRET, START, mock_event, mock_signature


class TestMockContract(PlatformContract):
    slug = "mock"
    room_name_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"

    def platform_settings(self) -> VideoPlatformConfig:
        return MockSettings(_env_file=None, webhook_secret=MOCK_SECRET)

    def vendor_transport(self) -> httpx.AsyncBaseTransport | None:
        return None  # the mock platform has no remote API

    def signed_webhook(
        self, kind: Kind, room_name: str, participant_id: str, at: datetime
    ) -> tuple[str, bytes, dict[str, str]]:
        body = mock_event(f"participant.{kind}", room_name, participant_id, at=at)
        headers = {"X-Mock-Signature": mock_signature(body, int(START.timestamp()))}
        return "/v1/mock/webhook", body, headers
