"""Room webhooks out: Standard Webhooks signatures, the same id across retries, a log."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks import Webhook

import reflector
from reflector.infra.clock import utcnow
from reflector.rooms.room_webhooks import DELIVER
from tests.support import FakeClock, new_meeting, run_queued
from tests.test_recordings import process_queued


@pytest.fixture
def settings(settings):
    """The receivers here listen on 127.0.0.1."""
    return settings.model_copy(update={"WEBHOOK_ALLOW_PRIVATE_TARGETS": True})


@pytest.fixture
def clock() -> FakeClock:
    """Real time at the start: the `standardwebhooks` verifier checks against the wall clock."""
    return FakeClock(now=utcnow())


@dataclass
class Receiver:
    """A webhook endpoint on 127.0.0.1 that answers with the statuses it is given, in turn."""

    statuses: list[int] = field(default_factory=lambda: [200])
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"]))
            state.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
            status = state.statuses.pop(0) if len(state.statuses) > 1 else state.statuses[0]
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()


async def deliver_queued(runtime) -> list[str | None]:
    return await run_queued(runtime, DELIVER)


async def room_with_webhook(client, headers, url: str) -> dict:
    response = await client.post(
        "/v1/rooms", json={"name": "hooked", "webhook_url": url}, headers=headers
    )
    assert response.status_code == 201
    return response.json()


async def test_a_test_event_is_signed_and_keeps_its_id_across_a_retry(
    client, alice, runtime, receiver, clock: FakeClock
):
    receiver.statuses = [500, 200]
    room = await room_with_webhook(client, alice, receiver.url)
    queued = await client.post(f"/v1/rooms/{room['id']}/webhook/test", headers=alice)
    assert queued.status_code == 202
    message_id = queued.json()["message_id"]

    assert await deliver_queued(runtime) == ["pending"]
    clock.advance(3)
    assert await deliver_queued(runtime) == ["done"]

    assert len(receiver.received) == 2
    verifier = Webhook(room["webhook_secret"])
    ids = set()
    for headers, body in receiver.received:
        assert verifier.verify(body, headers)["type"] == "webhook.test"
        ids.add(headers["webhook-id"])
        assert headers["user-agent"] == f"Reflector/{reflector.__version__}"
    assert ids == {message_id}
    assert (
        receiver.received[0][0]["webhook-timestamp"] != receiver.received[1][0]["webhook-timestamp"]
    )

    log = (await client.get(f"/v1/rooms/{room['id']}/webhook/deliveries", headers=alice)).json()
    assert [(d["attempt"], d["status_code"]) for d in log] == [(2, 200), (1, 500)]


async def test_a_finished_transcript_is_announced(client, alice, runtime, receiver, spoken_video):
    room = await room_with_webhook(client, alice, receiver.url)
    meeting = await new_meeting(client, alice, room="hooked")
    files = {"file": ("m.mp4", spoken_video.read_bytes(), "video/mp4")}
    recording = (
        await client.post(f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice)
    ).json()
    await process_queued(runtime)
    assert await deliver_queued(runtime) == ["done"]
    [(headers, body)] = receiver.received
    event = Webhook(room["webhook_secret"]).verify(body, headers)
    assert event["type"] == "transcript.completed"
    done = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    assert event["data"]["transcript_id"] == done["transcript_id"]
    assert event["data"]["room_name"] == "hooked"
    assert event["data"]["transcript_url"] == f"/v1/transcripts/{done['transcript_id']}"
    assert event["data"]["duration"] == pytest.approx(done["duration"], abs=0.01)


async def test_410_gone_stops_the_deliveries(client, alice, runtime, receiver):
    receiver.statuses = [410]
    room = await room_with_webhook(client, alice, receiver.url)
    await client.post(f"/v1/rooms/{room['id']}/webhook/test", headers=alice)
    assert await deliver_queued(runtime) == ["failed"]


async def test_webhook_routes_need_the_owner_and_a_url(client, alice, bob):
    plain = (
        await client.post("/v1/rooms", json={"name": "plain", "is_shared": True}, headers=alice)
    ).json()
    assert (
        await client.post(f"/v1/rooms/{plain['id']}/webhook/test", headers=alice)
    ).status_code == 409
    assert (
        await client.post(f"/v1/rooms/{plain['id']}/webhook/test", headers=bob)
    ).status_code == 403
    assert (
        await client.get(f"/v1/rooms/{plain['id']}/webhook/deliveries", headers=bob)
    ).status_code == 403
