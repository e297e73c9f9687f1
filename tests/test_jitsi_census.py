"""Rooms Prosody dropped without a word (a restart): found through mod_muc_census."""

import httpx
import pytest

from reflector.config.loading import Config
from reflector.infra.job_errors import TransientJobError
from reflector.video_platforms.jitsi.tasks import reconcile_with_census
from tests.jitsi import bearer, fixture, jitsi_config, jitsi_settings, path_of
from tests.support import new_meeting

PROSODY = "http://prosody.internal:5280"


class FakeCensus:
    """Prosody's `GET /room-census`, answering with the rooms it is told are open; with none,
    `{"room_census": {}}`, as a real Prosody 0.12 does (Lua's JSON encoder cannot tell an
    empty array from an empty object)."""

    def __init__(self) -> None:
        self.rooms: list[str] = []
        self.status = 200
        self.requests: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(str(request.url))
        if request.url.path != "/room-census" or request.method != "GET":
            return httpx.Response(404)
        census = [
            {"room_name": f"{room}@muc.meet.jitsi", "participants": 1, "created_time": 0}
            for room in self.rooms
        ]
        return httpx.Response(self.status, json={"room_census": census or {}})


@pytest.fixture
def census() -> FakeCensus:
    return FakeCensus()


@pytest.fixture
def http_transport(census) -> httpx.AsyncBaseTransport:
    return httpx.MockTransport(census)


@pytest.fixture
def config(settings) -> Config:
    return jitsi_config(settings, jitsi_settings(api_url=PROSODY))


async def open_room_with_ada(client, alice, name: str) -> dict:
    meeting = await new_meeting(client, alice, room=name)
    for event in ("room_created", "occupant_joined"):
        body = fixture(event, meeting["platform_room_name"])
        assert (await client.post(path_of(body), content=body, headers=bearer())).status_code == 200
    return meeting


async def detail(client, alice, meeting) -> dict:
    return (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()


async def test_a_room_missing_from_the_census_ends_its_meeting(
    client, alice, runtime, census, clock
):
    gone = await open_room_with_ada(client, alice, "gone")
    still_open = await open_room_with_ada(client, alice, "open")
    census.rooms = [still_open["platform_room_name"]]
    clock.advance(120)
    assert await reconcile_with_census(runtime) == 1
    assert census.requests == [f"{PROSODY}/room-census"]
    ended = await detail(client, alice, gone)
    assert (ended["state"], ended["end_reason"], ended["num_clients"]) == ("ended", "platform", 0)
    assert all(p["left_at"] for p in ended["participants"])
    assert (await detail(client, alice, still_open))["num_clients"] == 1


async def test_a_census_of_no_rooms_ends_every_meeting_it_no_longer_holds(
    client, alice, runtime, census, clock
):
    meeting = await open_room_with_ada(client, alice, "dropped")
    clock.advance(120)
    census.rooms = []
    assert await reconcile_with_census(runtime) == 1
    assert (await detail(client, alice, meeting))["state"] == "ended"


async def test_recent_events_are_not_judged_by_an_older_census(client, alice, runtime, clock):
    meeting = await open_room_with_ada(client, alice, "fresh")
    clock.advance(10)
    assert await reconcile_with_census(runtime) == 0
    assert (await detail(client, alice, meeting))["state"] == "active"


async def test_rooms_never_seen_open_are_left_alone(client, alice, runtime, clock):
    meeting = await new_meeting(client, alice, room="unused")
    clock.advance(3600)
    assert await reconcile_with_census(runtime) == 0
    assert (await detail(client, alice, meeting))["state"] == "active"


async def test_an_unreachable_census_is_retried_later(client, alice, runtime, census, clock):
    meeting = await open_room_with_ada(client, alice, "kept")
    census.status = 503
    clock.advance(120)
    with pytest.raises(TransientJobError):
        await reconcile_with_census(runtime)
    assert (await detail(client, alice, meeting))["state"] == "active"
