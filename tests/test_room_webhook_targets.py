"""Room webhooks go only to public addresses unless internal receivers are allowed."""

import pytest

from reflector.room_webhooks import DELIVER
from tests.support import run_queued


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:9/hooks", "http://169.254.169.254/latest/meta-data", "http://[::1]:9/hooks"],
)
async def test_private_targets_are_refused_and_the_reason_logged(client, alice, runtime, url):
    room = (
        await client.post("/v1/rooms", json={"name": "hooked", "webhook_url": url}, headers=alice)
    ).json()
    await client.post(f"/v1/rooms/{room['id']}/webhook/test", headers=alice)
    assert await run_queued(runtime, DELIVER) == ["failed"]
    [delivery] = (
        await client.get(f"/v1/rooms/{room['id']}/webhook/deliveries", headers=alice)
    ).json()
    assert delivery["status_code"] is None
    assert "non-public address" in delivery["error"]
