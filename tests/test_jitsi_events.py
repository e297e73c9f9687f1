"""Prosody event sync through HTTP: every fixture, duplicated and reordered, same final state."""

import json
import random

import pytest
from sqlalchemy import func, select

from reflector.config.loading import Config
from reflector.db import WebhookEvent
from reflector.video_platforms.jitsi import JitsiSettings
from tests.jitsi import (
    EVENT_FIXTURES,
    EVENT_PATHS,
    WEBHOOK_SECRET,
    bearer,
    fixture,
    jitsi_config,
    jitsi_settings,
    occupant_event,
    path_of,
)
from tests.support import new_meeting


@pytest.fixture
def jitsi() -> JitsiSettings:
    return jitsi_settings()


@pytest.fixture
def config(settings, jitsi) -> Config:
    return jitsi_config(settings, jitsi)


def at(clock: str) -> str:
    """A time of the fixtures' scenario (2026-03-02, UTC) as the API shows it."""
    return f"2026-03-02T{clock}Z"


async def post(client, body: bytes):
    response = await client.post(path_of(body), content=body, headers=bearer())
    assert response.status_code == 200, response.text
    return response.json()


async def state(client, alice, meeting_id: str) -> dict:
    detail = (await client.get(f"/v1/meetings/{meeting_id}", headers=alice)).json()
    people = sorted(
        (
            (p["user_id"], p["display_name"], p["joined_at"], p["left_at"], p["is_recorder"])
            for p in detail["participants"]
        ),
        key=str,
    )
    return {
        "state": detail["state"],
        "end_reason": detail["end_reason"],
        "ended_at": detail["ended_at"],
        "num_clients": detail["num_clients"],
        "participants": people,
    }


async def test_the_fixture_timeline_drives_participants_and_the_meeting_end(client, alice):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    statuses = [(await post(client, fixture(name, room)))["status"] for name in EVENT_FIXTURES]
    # The left event with speaker stats is the same occurrence as the one without.
    assert statuses == ["processed"] * 5 + ["duplicate", "processed"]
    final = await state(client, alice, meeting["id"])
    assert final["state"] == "ended"
    assert final["end_reason"] == "platform"
    assert final["ended_at"] == at("10:48:35")
    assert final["num_clients"] == 0
    people = {person[1]: person for person in final["participants"]}
    assert people["Ada Lovelace"][2:] == (at("10:00:07"), at("10:48:01"), False)
    assert people["Bob Example"][2:] == (at("10:01:30"), at("10:47:12"), False)
    assert people["Cleo Example"][2:] == (at("10:20:00"), None, False)
    [recorder] = [person for person in final["participants"] if person[4]]
    assert recorder[0] is None
    assert recorder[2:4] == (at("10:02:10"), at("10:48:33"))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_duplicates_and_any_order_give_the_same_final_state(client, alice, seed):
    reference = await new_meeting(client, alice, room="inorder")
    for name in EVENT_FIXTURES:
        await post(client, fixture(name, reference["platform_room_name"]))
    expected = await state(client, alice, reference["id"])

    meeting = await new_meeting(client, alice, room="shuffled")
    bodies = [fixture(name, meeting["platform_room_name"]) for name in EVENT_FIXTURES] * 2
    random.Random(seed).shuffle(bodies)
    for body in bodies:
        await post(client, body)
    assert await state(client, alice, meeting["id"]) == expected


async def test_recorders_are_marked_and_do_not_count(client, alice):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    await post(client, fixture("occupant_joined", room))
    await post(client, fixture("occupant_joined_recorder", room))
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert detail["num_clients"] == 1
    assert sorted(p["is_recorder"] for p in detail["participants"]) == [False, True]


async def test_people_in_breakout_rooms_keep_the_meeting_occupied(client, alice):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    ada = {"occupant_jid": "ada-conn@meet.jitsi/web", "id": "ada", "name": "Ada"}
    await post(client, occupant_event("muc-occupant-joined", room, ada | {"joined_at": 1000}))
    # Ada moves to a breakout room: she leaves the main room and joins the breakout.
    left_main = ada | {"joined_at": 1000, "left_at": 2000}
    await post(client, occupant_event("muc-occupant-left", room, left_main))
    await post(
        client,
        occupant_event("muc-occupant-joined", room, ada | {"joined_at": 2000}, breakout="b1"),
    )
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert detail["num_clients"] == 1
    # The breakout room closing does not end the meeting; only the main room's does.
    destroyed = {
        "event_name": "muc-room-destroyed",
        "room_name": room,
        "room_jid": f"{room}@muc.meet.jitsi",
        "is_breakout": True,
        "breakout_room_id": "b1",
        "created_at": 2000,
        "destroyed_at": 3000,
        "all_occupants": [ada | {"joined_at": 2000, "left_at": 2990}],
    }
    await post(client, json.dumps(destroyed).encode())
    # Back in the main room: a new stay of the same connection.
    await post(client, occupant_event("muc-occupant-joined", room, ada | {"joined_at": 2995}))
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert (detail["state"], detail["num_clients"]) == ("active", 1)
    assert len(detail["participants"]) == 3


async def test_a_tenant_prefixed_room_is_our_room(client, alice):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    body = fixture("occupant_joined", room).replace(
        f'"room_name": "{room}"'.encode(), f'"room_name": "[acme]{room}"'.encode()
    )
    assert (await post(client, body))["status"] == "processed"


async def test_who_is_in_comes_from_the_events_and_there_is_no_sessions_api(client, alice):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    url = f"/v1/meetings/{meeting['id']}"
    await post(client, fixture("room_created", room))
    await post(client, fixture("occupant_joined", room))
    await post(client, fixture("occupant_joined_recorder", room))
    people = (await client.get(url, headers=alice)).json()["participants"]
    assert sorted((p["display_name"] or "", p["left_at"], p["is_recorder"]) for p in people) == [
        ("", None, True),
        ("Ada Lovelace", None, False),
    ]
    assert {p["user_id"] for p in people} == {"7d1f2e8c-4a90-4b5d-8f4e-3c1a0b5d8f4e", None}
    await post(client, fixture("room_destroyed", room))
    assert (await client.get(url, headers=alice)).json()["state"] == "ended"
    sessions = await client.get(f"{url}/sessions", headers=alice)
    assert sessions.status_code == 409
    assert "has no sessions API" in sessions.json()["detail"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-secret"},
        {"Authorization": WEBHOOK_SECRET},
        {"Authorization": f"Basic {WEBHOOK_SECRET}"},
        {"X-Jitsi-Signature": WEBHOOK_SECRET},
    ],
)
async def test_bad_or_missing_bearer_is_refused_and_nothing_is_written(
    client, alice, runtime, headers
):
    meeting = await new_meeting(client, alice)
    for path in EVENT_PATHS.values():
        body = fixture("occupant_joined", meeting["platform_room_name"])
        assert (await client.post(path, content=body, headers=headers)).status_code == 401
    async with runtime.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


@pytest.mark.parametrize("jitsi", [jitsi_settings(webhook_secret=None)])
async def test_events_need_the_secret_configured(client):
    response = await client.post(
        "/v1/jitsi/events/room/created", content=fixture("room_created"), headers=bearer()
    )
    assert response.status_code == 503
    assert "JITSI_WEBHOOK_SECRET" in response.json()["detail"]


async def test_authentic_events_we_cannot_use_are_kept_not_refused(client, alice):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    unknown_room = await post(client, fixture("occupant_joined", "not-our-room"))
    assert unknown_room["status"] == "parked"
    other = json.dumps({"event_name": "muc-room-renamed", "room_name": room}).encode()
    response = await client.post(EVENT_PATHS["muc-room-created"], content=other, headers=bearer())
    assert response.json()["status"] == "parked"
    for broken in (b"not json", b'{"event_name": "muc-occupant-joined", "room_name": 5}'):
        response = await client.post(
            EVENT_PATHS["muc-occupant-joined"], content=broken, headers=bearer()
        )
        assert (response.status_code, response.json()["status"]) == (200, "failed")
