"""The mock webhook route: signatures over raw bytes, the time window, dedupe, ordering."""

import asyncio
import itertools
import json
from datetime import timedelta
from random import Random

import pytest
from sqlalchemy import func, select

from reflector.db import EventStatus, ParticipantSession, WebhookEvent
from reflector.runtime import Runtime
from tests.support import (
    MOCK_SECRET,
    START,
    FakeClock,
    mock_event,
    mock_signature,
    new_meeting,
    send_mock_event,
    without_rate_limits,
)

NOW = int(START.timestamp())


async def count(runtime: Runtime, model) -> int:
    async with runtime.db.read() as session:
        return (await session.scalar(select(func.count()).select_from(model))) or 0


async def meeting_state(client, headers, meeting_id):
    detail = (await client.get(f"/v1/meetings/{meeting_id}", headers=headers)).json()
    participants = tuple(
        sorted(
            (p["platform_participant_id"], p["joined_at"], p["left_at"], p["display_name"])
            for p in detail["participants"]
        )
    )
    return detail["state"], detail["num_clients"], participants


@pytest.fixture
async def meeting(client, alice):
    return await new_meeting(client, alice)


@pytest.mark.parametrize("offset", [-300, 0, 300])
async def test_timestamps_within_300_seconds_are_accepted(client, meeting, offset):
    body = mock_event("participant.joined", meeting["platform_room_name"])
    response = await send_mock_event(client, body, NOW + offset)
    assert response.status_code == 200
    assert response.json()["status"] == "processed"


@pytest.mark.parametrize("offset", [-301, 301, -86400, 1000 * NOW])
async def test_timestamps_outside_the_window_are_refused(client, runtime, meeting, offset):
    body = mock_event("participant.joined", meeting["platform_room_name"])
    response = await send_mock_event(client, body, NOW + offset)
    assert response.status_code == 401
    assert await count(runtime, WebhookEvent) == 0


@pytest.mark.parametrize(
    "header",
    [
        "",
        "garbage",
        "t=abc,v1=00",
        "t=1e30,v1=00",
        f"t=-{NOW},v1=00",
        f"t={NOW}",
        f"t={NOW}.5,v1=00",
        f"t={NOW * 1000},v1=00",
        f"t={10**40},v1=00",
        "t=١٧٦٤,v1=00".encode(),
    ],
)
async def test_malformed_signature_headers_get_401(client, runtime, meeting, header):
    body = mock_event("participant.joined", meeting["platform_room_name"])
    response = await client.post(
        "/v1/mock/webhook", content=body, headers={"X-Mock-Signature": header}
    )
    assert response.status_code == 401
    assert await count(runtime, WebhookEvent) == 0


async def test_any_changed_byte_is_refused(client, runtime, meeting):
    body = mock_event("participant.joined", meeting["platform_room_name"])
    header = mock_signature(body, NOW)
    for position in range(0, len(body), 7):
        tampered = bytearray(body)
        tampered[position] ^= 0x01
        response = await client.post(
            "/v1/mock/webhook", content=bytes(tampered), headers={"X-Mock-Signature": header}
        )
        assert response.status_code == 401, position
    wrong_time = header.replace(f"t={NOW}", f"t={NOW + 1}")
    response = await client.post(
        "/v1/mock/webhook", content=body, headers={"X-Mock-Signature": wrong_time}
    )
    assert response.status_code == 401
    signature = header.rsplit("=", 1)[1]
    flipped = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    response = await client.post(
        "/v1/mock/webhook",
        content=body,
        headers={"X-Mock-Signature": f"t={NOW},v1={flipped}"},
    )
    assert response.status_code == 401
    assert await count(runtime, WebhookEvent) == 0


async def test_signature_is_over_raw_bytes_whatever_their_encoding(client, meeting):
    event = json.loads(mock_event("participant.joined", meeting["platform_room_name"]))
    encodings = [
        json.dumps(event, indent=4),
        json.dumps(dict(reversed(list(event.items())))),
        json.dumps(event, ensure_ascii=True).replace('"Ann"', '"\\u0041nn"'),
    ]
    for index, text in enumerate(encodings):
        event["id"] = f"evt-encoding-{index}"
        body = text.replace(json.loads(text)["id"], event["id"]).encode()
        response = await send_mock_event(client, body, NOW)
        assert response.status_code == 200, text


async def test_a_valid_signature_among_several_is_enough(client, meeting):
    body = mock_event("participant.joined", meeting["platform_room_name"])
    good = mock_signature(body, NOW).split(",")[1]
    header = f"t={NOW},v1={'0' * 64},{good}"
    response = await client.post(
        "/v1/mock/webhook", content=body, headers={"X-Mock-Signature": header}
    )
    assert response.status_code == 200


async def test_replayed_1000_times_changes_state_once(
    client, alice, runtime, meeting, clock: FakeClock
):
    body = mock_event("participant.joined", meeting["platform_room_name"], event_id="evt-replay")
    gate = asyncio.Semaphore(20)

    async def deliver(i: int) -> int:
        async with gate:
            response = await send_mock_event(client, body, NOW - 200 + (i % 400))
            return response.status_code

    statuses = await asyncio.gather(*(deliver(i) for i in range(1000)))
    assert set(statuses) == {200}
    assert await count(runtime, WebhookEvent) == 1
    assert await count(runtime, ParticipantSession) == 1
    # Six days later the sender retries once more: still the same single event.
    clock.advance(6 * 86400)
    late = await send_mock_event(client, body, int(clock().timestamp()))
    assert late.json() == {"status": "duplicate", "event_id": None}
    assert await count(runtime, WebhookEvent) == 1
    state, clients, _ = await meeting_state(client, alice, meeting["id"])
    assert (state, clients) == ("active", 1)


async def test_50_concurrent_copies_have_one_effect(client, alice, runtime, meeting):
    room = meeting["platform_room_name"]
    joined = mock_event("participant.joined", room, "p1", event_id="evt-join")
    left = mock_event("participant.left", room, "p2", event_id="evt-left")
    copies = [joined] * 50 + [left] * 50
    responses = await asyncio.gather(*(send_mock_event(client, b, NOW) for b in copies))
    assert {r.status_code for r in responses} == {200}
    outcomes = [r.json()["status"] for r in responses]
    assert outcomes.count("processed") == 2
    assert outcomes.count("duplicate") == 98
    assert await count(runtime, WebhookEvent) == 2
    assert await count(runtime, ParticipantSession) == 2
    assert (await meeting_state(client, alice, meeting["id"]))[1] == 1


async def test_final_state_does_not_depend_on_order_or_duplicates(client, alice, runtime):
    """Every order of a meeting's events, with a duplicate, ends in the same state."""
    without_rate_limits(runtime)
    events = [
        ("participant.joined", "p1", 0),
        ("participant.joined", "p2", 10),
        ("participant.left", "p1", 20),
        ("participant.joined", "rec", 5),
        ("participant.left", "rec", 30),
    ]
    outcomes = set()
    for index, order in enumerate(itertools.permutations(events)):
        meeting = await new_meeting(client, alice, room=f"order-{index}")
        room = meeting["platform_room_name"]
        bodies = [
            mock_event(
                kind,
                room,
                pid,
                at=START + timedelta(seconds=offset),
                event_id=f"{index}-{kind}-{pid}",
            )
            for kind, pid, offset in order
        ]
        for body in [*bodies, bodies[index % len(bodies)]]:
            assert (await send_mock_event(client, body, NOW)).status_code == 200
        outcomes.add(await meeting_state(client, alice, meeting["id"]))
    assert len(outcomes) == 1
    state, clients, participants = outcomes.pop()
    assert (state, clients) == ("active", 1)
    assert [p[0] for p in participants if p[2] is None] == ["p2"]


async def test_meeting_ended_event_ends_the_meeting(client, alice, meeting):
    room = meeting["platform_room_name"]
    await send_mock_event(client, mock_event("participant.joined", room), NOW)
    ended = await send_mock_event(client, mock_event("meeting.ended", room), NOW)
    assert ended.json()["status"] == "processed"
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert (detail["state"], detail["end_reason"], detail["num_clients"]) == (
        "ended",
        "platform",
        0,
    )


async def test_recorders_do_not_count_as_clients(client, alice, meeting):
    body = json.loads(mock_event("participant.joined", meeting["platform_room_name"], "bot"))
    body["data"]["is_recorder"] = True
    await send_mock_event(client, json.dumps(body).encode(), NOW)
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert detail["num_clients"] == 0
    assert detail["participants"][0]["is_recorder"] is True


async def stored(runtime: Runtime) -> list[WebhookEvent]:
    async with runtime.db.read() as session:
        return list((await session.scalars(select(WebhookEvent))).all())


async def test_authentic_event_for_an_unknown_room_is_parked(client, runtime):
    response = await send_mock_event(client, mock_event("participant.joined", "nowhere-1"), NOW)
    assert response.status_code == 200
    assert response.json()["status"] == "parked"
    [event] = await stored(runtime)
    assert (event.status, event.detail) == (EventStatus.PARKED, "no meeting for room 'nowhere-1'")


async def test_authentic_event_of_an_unknown_type_is_parked(client, runtime):
    body = json.dumps({"id": "evt-x", "type": "recording.started", "data": {}}).encode()
    response = await send_mock_event(client, body, NOW)
    assert response.json()["status"] == "parked"
    [event] = await stored(runtime)
    assert (event.event_key, event.event_type, event.raw_body) == (
        "evt-x",
        "recording.started",
        body,
    )


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[" * 5000 + b"]" * 5000,
        b'{"id": "evt-1", "type": "participant.joined", "data": {}}',
        b'{"id": "evt-2", "type": "participant.joined", "created_at": "yesterday", "data": {}}',
        b'{"id": "evt-3", "type": "participant.joined", "created_at": "2026-11-25T12:00:00Z",'
        b' "data": {"room_name": "a\\u0000b", "participant_id": "p"}}',
        b'{"id": "evt-\\ud800", "type": "meeting.ended"}',
        b"\xff\xfe\x00",
    ],
)
async def test_authentic_but_unusable_bodies_are_kept_and_acknowledged(client, runtime, body):
    response = await send_mock_event(client, body, NOW)
    assert response.status_code == 200
    assert response.json()["status"] == "failed"
    [event] = await stored(runtime)
    assert event.raw_body == body
    assert event.detail.startswith("malformed event")


async def test_oversized_webhook_bodies_are_refused_unread(client, runtime):
    body = b'{"id": "' + b"x" * (256 * 1024) + b'"}'
    response = await send_mock_event(client, body, NOW)
    assert response.status_code == 413
    assert "at most 262144 bytes" in response.json()["detail"]
    assert await count(runtime, WebhookEvent) == 0


async def test_without_a_webhook_secret_the_route_says_so(config, client, runtime):
    unsigned = config.platforms["mock"].model_copy(update={"webhook_secret": None})
    object.__setattr__(runtime.config, "platforms", {"mock": unsigned})
    response = await client.post("/v1/mock/webhook", content=b"{}")
    assert response.status_code == 503
    assert "MOCK_WEBHOOK_SECRET" in response.json()["detail"]


async def test_repeated_authentication_failures_raise_an_alert(client, caplog):
    for _ in range(3):
        await client.post(
            "/v1/mock/webhook", content=b"{}", headers={"X-Mock-Signature": "t=1,v1=0"}
        )
    alerts = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(alerts) == 1
    assert alerts[0].getMessage().startswith("WEBHOOK_AUTH_FAILING platform=mock")
    assert MOCK_SECRET not in caplog.text


def hostile_bodies() -> list[bytes]:
    """Authentic (signed) bodies that try every way of breaking a parser or a database."""
    random = Random(20261125)
    strings = ["", "\x00", "\ud800", "a" * 300, "ż" * 100, "../../etc", "<script>", "\U0001f600"]
    values: list[object] = [None, True, 0, -1, 2**70, 1.5, [], {}, *strings]
    bodies = []
    for _ in range(60):
        data = {
            k: random.choice(values)
            for k in random.sample(["room_name", "participant_id", "user_name", "is_recorder"], 3)
        }
        event = {
            "id": random.choice([*strings, "evt-" + str(random.random())]),
            "type": random.choice(
                ["participant.joined", "participant.left", "meeting.ended", "x", *strings]
            ),
            "created_at": random.choice(["2026-11-25T12:00:00Z", "2026-13-45", "", "1e30"]),
            "data": random.choice([data, None, [], "data"]),
        }
        bodies.append(
            json.dumps(event, ensure_ascii=random.random() < 0.5).encode("utf-8", "surrogatepass")
        )
    bodies += [b"", b"null", b"[]", b"{}", b'{"id": NaN}', b'{"id": 1e999}', b"\xc3\x28", b"{" * 40]
    return bodies


async def test_no_authentic_body_causes_a_server_error(client, meeting):
    for body in hostile_bodies():
        response = await send_mock_event(client, body, NOW)
        assert response.status_code in (200, 413), (body[:120], response.text)
