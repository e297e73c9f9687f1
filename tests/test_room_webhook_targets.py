"""Room webhooks go only to public addresses unless internal receivers are allowed: refused
when the URL is set, and checked again at every delivery (a name may resolve elsewhere
later, or the setting may change)."""

import pytest

from reflector.rooms.room_webhooks import DELIVER
from tests.support import run_queued

PRIVATE = [
    "http://127.0.0.1:9/hooks",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]:9/hooks",
    # IPv6 addresses that carry, and reach, an IPv4 loopback or private address:
    "http://[::ffff:127.0.0.1]:9/hooks",  # IPv4-mapped
    "http://[64:ff9b::7f00:1]/",  # NAT64
    "http://[64:ff9b:1::a00:1]/",  # local-use NAT64
    "http://[2002:7f00:1::]/",  # 6to4
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo, client 127.0.0.1
]


def allow_private_targets(runtime, allowed: bool) -> None:
    settings = runtime.config.settings.model_copy(update={"WEBHOOK_ALLOW_PRIVATE_TARGETS": allowed})
    object.__setattr__(runtime.config, "settings", settings)


@pytest.mark.parametrize("url", PRIVATE)
async def test_private_targets_are_refused_when_set(client, alice, url):
    created = await client.post(
        "/v1/rooms", json={"name": "hooked", "webhook_url": url}, headers=alice
    )
    assert created.status_code == 422
    assert "WEBHOOK_ALLOW_PRIVATE_TARGETS" in created.text
    assert "non-public address" in created.text
    room = (await client.post("/v1/rooms", json={"name": "plain"}, headers=alice)).json()
    patched = await client.patch(
        f"/v1/rooms/{room['id']}", json={"webhook_url": url}, headers=alice
    )
    assert patched.status_code == 422
    assert "WEBHOOK_ALLOW_PRIVATE_TARGETS" in patched.text


async def test_names_that_do_not_resolve_now_are_accepted(client, alice):
    """DNS may be down for a moment: deliveries check again, and log why they fail."""
    url = "https://no-such-host.invalid/hooks"
    created = await client.post(
        "/v1/rooms", json={"name": "hooked", "webhook_url": url}, headers=alice
    )
    assert created.status_code == 201


@pytest.mark.parametrize("url", PRIVATE)
async def test_private_targets_are_refused_again_at_delivery(client, alice, runtime, url):
    allow_private_targets(runtime, True)
    room = (
        await client.post("/v1/rooms", json={"name": "hooked", "webhook_url": url}, headers=alice)
    ).json()
    allow_private_targets(runtime, False)
    await client.post(f"/v1/rooms/{room['id']}/webhook/test", headers=alice)
    assert await run_queued(runtime, DELIVER) == ["failed"]
    [delivery] = (
        await client.get(f"/v1/rooms/{room['id']}/webhook/deliveries", headers=alice)
    ).json()
    assert delivery["status_code"] is None
    assert "non-public address" in delivery["error"]
