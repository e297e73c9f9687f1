"""The inbox's group commit: batches, a poison event among neighbours, several processes."""

import asyncio

import httpx
from sqlalchemy import func, select

from reflector.app import create_app
from reflector.db import EventStatus, WebhookEvent
from reflector.inbox.actions import InboundEvent, ParticipantJoined
from reflector.runtime import Runtime
from tests.support import START, mock_event, new_meeting, send_mock_event


def joined(key: str, room: str = "nowhere") -> InboundEvent:
    return InboundEvent(
        platform="mock",
        key=key,
        type="participant.joined",
        raw_body=b"{}",
        metric_type="participant.joined",
        actions=(ParticipantJoined(room_name=room, participant_id=key, at=START),),
    )


async def stored_keys(runtime: Runtime) -> set[str]:
    async with runtime.db.read() as session:
        return set((await session.scalars(select(WebhookEvent.event_key))).all())


async def test_concurrent_events_are_answered_each_with_its_own_receipt(runtime):
    receipts = await asyncio.gather(*(runtime.inbox.receive(joined(f"e{i}")) for i in range(30)))
    assert len({r.event_id for r in receipts}) == 30
    assert {r.status for r in receipts} == {EventStatus.PARKED}
    assert await stored_keys(runtime) == {f"e{i}" for i in range(30)}


async def test_an_event_the_database_refuses_does_not_fail_its_neighbours(runtime, database_url):
    # PostgreSQL cannot store NUL in text; SQLite can. Either way the neighbours are stored.
    events = [joined("good-1"), joined("bad-\x00"), joined("good-2")]
    outcomes = await asyncio.gather(
        *(runtime.inbox.receive(event) for event in events), return_exceptions=True
    )
    assert not isinstance(outcomes[0], BaseException)
    assert not isinstance(outcomes[2], BaseException)
    assert {"good-1", "good-2"} <= await stored_keys(runtime)
    if database_url.startswith("postgresql"):
        assert isinstance(outcomes[1], Exception)


async def test_two_server_processes_store_one_copy(config, clock, client, alice, runtime):
    """Two apps with their own inbox and connection pool, as two API processes would be."""
    meeting = await new_meeting(client, alice)
    body = mock_event("participant.joined", meeting["platform_room_name"], event_id="evt-both")
    other = create_app(config, clock=clock, relay=False)
    async with other.router.lifespan_context(other):
        transport = httpx.ASGITransport(app=other)
        async with httpx.AsyncClient(transport=transport, base_url="http://other") as second:
            now = int(clock().timestamp())
            responses = await asyncio.gather(
                *(send_mock_event(c, body, now) for c in [client, second] * 25)
            )
    assert {r.status_code for r in responses} == {200}
    assert [r.json()["status"] for r in responses].count("processed") == 1
    async with runtime.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert detail["num_clients"] == 1
