"""S6: host links, API keys and secrets never reach the logs, even at DEBUG."""

import logging
import re

import pytest

from reflector.config.loading import Config
from reflector.rooms.lifecycle import DELETE_PLATFORM_ROOM
from tests.jitsi import JWT_SECRET, WEBHOOK_SECRET, bearer, fixture, jitsi_settings, path_of
from tests.support import (
    MOCK_SECRET,
    mock_event,
    new_meeting,
    platform_settings,
    run_queued,
    send_mock_event,
)

JWT_SHAPE = re.compile(r"eyJ[\w-]*\.eyJ[\w-]*\.")


@pytest.fixture
def config(settings, mock_settings) -> Config:
    return Config(
        settings=settings, platforms=platform_settings(mock=mock_settings, jitsi=jitsi_settings())
    )


async def test_a_whole_flow_logs_no_credentials(client, alice, runtime, clock, caplog):
    caplog.set_level(logging.DEBUG)
    meeting = await new_meeting(client, alice, webhook_url="https://hooks.example.com/x")
    room = (await client.get("/v1/rooms/name/standup", headers=alice)).json()
    host_link = (await client.post(f"/v1/meetings/{meeting['id']}/join", headers=alice)).json()[
        "url"
    ]
    now = int(clock().timestamp())
    await send_mock_event(
        client, mock_event("participant.joined", meeting["platform_room_name"]), now
    )
    await client.post("/v1/mock/webhook", content=b"{}", headers={"X-Mock-Signature": "t=1,v1=00"})
    await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
    await run_queued(runtime, DELETE_PLATFORM_ROOM)

    room_key = host_link.split("roomKey=", 1)[1]
    api_key = alice["Authorization"].removeprefix("Bearer ")
    for secret in [room_key, api_key, MOCK_SECRET, room["webhook_secret"]]:
        assert secret not in caplog.text
    assert "roomKey=" not in caplog.text


async def test_a_jitsi_flow_logs_no_tokens_or_secrets(client, alice, bob, caplog):
    caplog.set_level(logging.DEBUG)
    meeting = await new_meeting(client, alice, platform="jitsi", is_shared=True)
    join = f"/v1/meetings/{meeting['id']}/join"
    links = [(await client.post(join, headers=user)).json()["url"] for user in (alice, bob)]
    assert all(JWT_SHAPE.search(link) for link in links)
    body = fixture("occupant_joined", meeting["platform_room_name"])
    await client.post(path_of(body), content=body, headers=bearer())
    await client.post(path_of(body), content=body, headers=bearer("wrong"))
    await client.post("/v1/jitsi/recordings", content=b"{}", headers={"X-Reflector-Signature": "x"})

    assert not JWT_SHAPE.search(caplog.text)
    for secret in (JWT_SECRET, WEBHOOK_SECRET):
        assert secret not in caplog.text
