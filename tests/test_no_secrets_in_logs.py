"""S6: host links, API keys and secrets never reach the logs, even at DEBUG."""

import logging

from reflector.lifecycle import DELETE_PLATFORM_ROOM
from tests.support import MOCK_SECRET, mock_event, new_meeting, run_queued, send_mock_event


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
