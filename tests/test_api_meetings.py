from urllib.parse import urlsplit

from tests.support import FakeClock, mock_event, new_meeting, send_mock_event


async def test_meeting_is_created_on_the_rooms_platform_and_reused(client, alice):
    meeting = await new_meeting(client, alice)
    assert meeting["platform"] == "mock"
    assert meeting["state"] == "active"
    assert meeting["num_clients"] == 0
    assert meeting["platform_room_name"].startswith("standup-")
    assert urlsplit(meeting["room_url"]).path == f"/mock/{meeting['platform_room_name']}"
    assert "roomKey=" in meeting["host_room_url"]

    again = await client.post("/v1/rooms/standup/meeting", json={}, headers=alice)
    assert again.json()["id"] == meeting["id"]


async def test_allow_duplicated_creates_another_meeting(client, alice, bob):
    first = await new_meeting(client, alice, is_shared=True)
    by_bob = await client.post(
        "/v1/rooms/standup/meeting", json={"allow_duplicated": True}, headers=bob
    )
    assert by_bob.status_code == 403
    assert "only the room's owner may start another meeting" in by_bob.text
    joined = await client.post("/v1/rooms/standup/meeting", headers=bob)
    assert joined.json()["id"] == first["id"]  # the meeting there is, as anyone may
    second = await client.post(
        "/v1/rooms/standup/meeting", json={"allow_duplicated": True}, headers=alice
    )
    assert second.status_code == 200
    assert second.json()["id"] != first["id"]
    assert second.json()["platform_room_name"] != first["platform_room_name"]
    active = await client.get("/v1/rooms/standup/meetings/active", headers=alice)
    assert {m["id"] for m in active.json()} == {first["id"], second.json()["id"]}


async def test_meeting_body_is_validated(client, alice):
    await new_meeting(client, alice)
    response = await client.post(
        "/v1/rooms/standup/meeting", json={"allow_duplicated": "often"}, headers=alice
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "allow_duplicated"]


async def test_a_meeting_past_its_end_date_is_not_reused(client, alice, clock: FakeClock):
    first = await new_meeting(client, alice)
    clock.advance(9 * 3600)
    second = (await client.post("/v1/rooms/standup/meeting", headers=alice)).json()
    assert second["id"] != first["id"]


async def test_host_link_goes_only_to_the_owner(client, alice, bob):
    meeting = await new_meeting(client, alice, is_shared=True)
    as_bob = await client.post("/v1/rooms/standup/meeting", headers=bob)
    assert as_bob.json()["id"] == meeting["id"]
    assert as_bob.json()["host_room_url"] is None
    detail = await client.get(f"/v1/meetings/{meeting['id']}", headers=bob)
    assert detail.json()["host_room_url"] is None
    active = await client.get("/v1/rooms/standup/meetings/active", headers=bob)
    assert [m["host_room_url"] for m in active.json()] == [None]
    assert (
        "roomKey" not in (await client.post(f"/v1/meetings/{meeting['id']}/join", headers=bob)).text
    )


async def test_private_rooms_meetings_are_invisible_to_others(client, alice, bob):
    meeting = await new_meeting(client, alice)
    assert (await client.post("/v1/rooms/standup/meeting", headers=bob)).status_code == 404
    assert (await client.get(f"/v1/meetings/{meeting['id']}", headers=bob)).status_code == 404
    join = await client.post(f"/v1/meetings/{meeting['id']}/join", headers=bob)
    assert join.status_code == 404
    assert (await client.post(f"/v1/meetings/{meeting['id']}/end", headers=bob)).status_code == 404
    active = await client.get("/v1/rooms/standup/meetings/active", headers=bob)
    assert active.status_code == 404


async def test_unknown_room_and_meeting(client, alice):
    assert (await client.post("/v1/rooms/nowhere/meeting", headers=alice)).status_code == 404
    unknown = "/v1/meetings/00000000-0000-0000-0000-000000000000"
    assert (await client.get(unknown, headers=alice)).status_code == 404
    invalid = await client.get("/v1/meetings/42", headers=alice)
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["loc"] == ["path", "meeting_id"]


async def test_join_link_role_follows_ownership(client, alice, bob):
    meeting = await new_meeting(client, alice, is_shared=True)
    join = f"/v1/meetings/{meeting['id']}/join"

    host = (await client.post(join, headers=alice)).json()
    assert host == {"url": meeting["host_room_url"], "role": "host", "platform": "mock"}
    owner_as_guest = (await client.post(join, json={"role": "participant"}, headers=alice)).json()
    assert owner_as_guest["url"] == meeting["room_url"]

    guest = await client.post(join, json={"display_name": "Bob"}, headers=bob)
    assert guest.json() == {"url": meeting["room_url"], "role": "participant", "platform": "mock"}
    refused = await client.post(join, json={"role": "host"}, headers=bob)
    assert refused.status_code == 403


async def test_join_body_is_validated(client, alice):
    meeting = await new_meeting(client, alice)
    join = f"/v1/meetings/{meeting['id']}/join"
    bad_role = await client.post(join, json={"role": "admin"}, headers=alice)
    assert bad_role.status_code == 422
    assert bad_role.json()["detail"][0]["loc"] == ["body", "role"]
    long_name = await client.post(join, json={"display_name": "x" * 256}, headers=alice)
    assert long_name.status_code == 422


async def test_participants_and_num_clients(client, alice, clock: FakeClock):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    now = int(clock().timestamp())
    await send_mock_event(client, mock_event("participant.joined", room, "p1"), now)
    await send_mock_event(client, mock_event("participant.joined", room, "p2", user_name="Bo"), now)
    await send_mock_event(client, mock_event("participant.left", room, "p1"), now)

    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert detail["num_clients"] == 1
    by_id = {p["platform_participant_id"]: p for p in detail["participants"]}
    assert by_id["p1"]["left_at"] is not None
    assert by_id["p2"]["left_at"] is None
    assert by_id["p2"]["display_name"] == "Bo"

    sessions = (await client.get(f"/v1/meetings/{meeting['id']}/sessions", headers=alice)).json()
    assert {s["participant_id"]: s["left_at"] is None for s in sessions} == {
        "p1": False,
        "p2": True,
    }


async def test_end_meeting(client, alice, bob, clock: FakeClock):
    meeting = await new_meeting(client, alice, is_shared=True)
    room = meeting["platform_room_name"]
    await send_mock_event(client, mock_event("participant.joined", room), int(clock().timestamp()))
    end = f"/v1/meetings/{meeting['id']}/end"
    assert (await client.post(end, headers=bob)).status_code == 403

    ended = await client.post(end, headers=alice)
    assert ended.status_code == 200
    body = ended.json()
    assert (body["state"], body["end_reason"], body["num_clients"]) == ("ended", "ended_by_host", 0)
    assert body["ended_at"] is not None
    assert (await client.post(end, headers=alice)).json()["ended_at"] == body["ended_at"]

    assert (await client.get("/v1/rooms/standup/meetings/active", headers=alice)).json() == []
    rejoin = await client.post(f"/v1/meetings/{meeting['id']}/join", headers=alice)
    assert rejoin.status_code == 409
    fresh = (await client.post("/v1/rooms/standup/meeting", headers=alice)).json()
    assert fresh["id"] != meeting["id"]
