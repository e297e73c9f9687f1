"""W10: during a rotation the previous webhook secret is accepted until its end, then not."""

from datetime import timedelta

import pytest

from reflector.video_platforms.mock import MockSettings
from tests.support import MOCK_SECRET, START, FakeClock, mock_event, mock_signature, new_meeting

NEW_SECRET = "the-new-mock-secret-0123456789abcdefgh"


@pytest.fixture
def mock_settings() -> MockSettings:
    return MockSettings(
        _env_file=None,
        webhook_secret=NEW_SECRET,
        webhook_secret_previous=MOCK_SECRET,
        webhook_secret_previous_valid_until=START + timedelta(hours=24),
    )


async def deliver(client, room: str, participant: str, secret: str, at: int) -> int:
    body = mock_event("participant.joined", room, participant)
    headers = {"X-Mock-Signature": mock_signature(body, at, secret)}
    return (await client.post("/v1/mock/webhook", content=body, headers=headers)).status_code


async def test_previous_secret_works_until_its_end(client, alice, clock: FakeClock):
    room = (await new_meeting(client, alice))["platform_room_name"]
    now = int(clock().timestamp())
    assert await deliver(client, room, "p1", NEW_SECRET, now) == 200
    assert await deliver(client, room, "p2", MOCK_SECRET, now) == 200

    clock.advance(24 * 3600 + 1)
    later = int(clock().timestamp())
    assert await deliver(client, room, "p3", MOCK_SECRET, later) == 401
    assert await deliver(client, room, "p4", NEW_SECRET, later) == 200
