"""S8: join links and meetings are rate-limited per user and per address, across processes."""

from fastapi.routing import APIRoute

from reflector.api import meetings, rooms
from reflector.api.deps import limit_link_requests
from tests.support import api_key_headers, new_meeting, without_rate_limits


async def test_a_user_gets_30_links_a_minute_then_429_until_the_next(client, alice, clock):
    clock.advance(-clock().second)  # the start of a minute
    meeting = await new_meeting(client, alice)  # one request: the meeting
    join = f"/v1/meetings/{meeting['id']}/join"
    codes = [(await client.post(join, headers=alice)).status_code for _ in range(30)]
    assert codes == [200] * 29 + [429]
    refused = await client.post(join, headers=alice)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "60"
    assert "30 requests a minute" in refused.json()["detail"]

    clock.advance(45)
    assert (await client.post(join, headers=alice)).headers["Retry-After"] == "15"
    clock.advance(15)
    assert (await client.post(join, headers=alice)).status_code == 200


async def test_one_address_gets_60_a_minute_whoever_asks(client, alice, runtime, clock):
    clock.advance(-clock().second)
    meeting = await new_meeting(client, alice, is_shared=True)
    join = f"/v1/meetings/{meeting['id']}/join"
    users = [await api_key_headers(runtime, f"user-{n}") for n in range(3)]
    codes = [(await client.post(join, headers=users[n % 3])).status_code for n in range(60)]
    assert codes == [200] * 59 + [429]


async def test_limits_can_be_turned_off(client, alice, runtime):
    without_rate_limits(runtime)
    meeting = await new_meeting(client, alice)
    join = f"/v1/meetings/{meeting['id']}/join"
    codes = {(await client.post(join, headers=alice)).status_code for _ in range(80)}
    assert codes == {200}


def test_the_limit_guards_every_route_that_mints_links():
    routes = [*rooms.router.routes, *meetings.router.routes]
    guarded = {
        route.path
        for route in routes
        if isinstance(route, APIRoute)
        and any(d.dependency is limit_link_requests for d in route.dependencies)
    }
    assert guarded == {"/v1/meetings/{meeting_id}/join", "/v1/rooms/{room_name}/meeting"}
