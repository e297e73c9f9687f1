"""The mock platform's meeting page: who is in, and joining and leaving under a name, which
reach the meeting as the platform's signed events."""

from urllib.parse import urlsplit

import pytest

from reflector.rooms.lifecycle import DELETE_PLATFORM_ROOM
from reflector.video_platforms.mock import MockSettings
from tests.support import MOCK_SECRET, new_meeting, run_queued

ORIGIN = {"Origin": "http://reflector.test"}


@pytest.fixture
async def meeting(client, alice):
    return await new_meeting(client, alice, "standup", platform="mock")


def page_path(meeting) -> str:
    """Where the meeting's own link leads on this service."""
    return urlsplit(meeting["room_url"]).path


async def in_meeting(client, alice, meeting) -> list[str]:
    detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
    assert detail["num_clients"] == sum(1 for p in detail["participants"] if not p["left_at"])
    return [p["display_name"] for p in detail["participants"] if not p["left_at"]]


async def test_joining_and_leaving_on_the_page_reach_the_meeting(client, alice, meeting):
    path = page_path(meeting)
    page = await client.get(path, params={"name": "Ann"})
    assert page.status_code == 200
    assert "Nobody is in yet." in page.text
    assert 'value="Ann"' in page.text

    joined = await client.post(f"{path}/join", data={"name": "Ann"}, headers=ORIGIN)
    assert joined.status_code == 303
    page = await client.get(joined.headers["location"])
    assert "Ann <em>(you)</em>" in page.text
    assert "In the meeting (1)" in page.text
    assert await in_meeting(client, alice, meeting) == ["Ann"]

    await client.post(f"{path}/join", data={"name": "Bo"}, headers=ORIGIN)
    assert sorted(await in_meeting(client, alice, meeting)) == ["Ann", "Bo"]

    participant = joined.headers["location"].rpartition("you=")[2]
    left = await client.post(
        f"{path}/leave", data={"participant_id": participant, "name": "Ann"}, headers=ORIGIN
    )
    assert left.status_code == 303
    assert await in_meeting(client, alice, meeting) == ["Bo"]
    page = await client.get(left.headers["location"])
    assert "In the meeting (1)" in page.text
    assert 'value="Ann"' in page.text


async def test_a_name_is_needed_to_join(client, alice, meeting):
    answer = await client.post(f"{page_path(meeting)}/join", data={"name": "  "}, headers=ORIGIN)
    assert answer.status_code == 400
    assert "Say who you are: a name of 1 to 100 characters." in answer.text
    assert await in_meeting(client, alice, meeting) == []


async def test_another_site_cannot_make_its_visitors_join(client, alice, meeting):
    answer = await client.post(
        f"{page_path(meeting)}/join",
        data={"name": "Mallory"},
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403
    assert await in_meeting(client, alice, meeting) == []


async def test_the_page_may_be_framed_by_the_room_page_only(client, meeting):
    page = await client.get(page_path(meeting))
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]


class TestWithoutAWebhookSecret:
    @pytest.fixture
    def mock_settings(self) -> MockSettings:
        return MockSettings(_env_file=None)

    async def test_the_page_says_what_to_set(self, client, alice, meeting):
        page = await client.get(page_path(meeting))
        assert "cannot send events: MOCK_WEBHOOK_SECRET is not set" in page.text
        answer = await client.post(
            f"{page_path(meeting)}/join", data={"name": "Ann"}, headers=ORIGIN
        )
        assert answer.status_code == 503
        assert "MOCK_WEBHOOK_SECRET is not set" in answer.json()["detail"]


async def test_a_room_with_no_meeting_on_says_so(client, alice, runtime, meeting):
    await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
    await run_queued(runtime, DELETE_PLATFORM_ROOM)
    page = await client.get(page_path(meeting))
    assert "No meeting is on in this room now" in page.text
    answer = await client.post(f"{page_path(meeting)}/join", data={"name": "Ann"}, headers=ORIGIN)
    assert answer.status_code == 409
    assert "No meeting is on in this room now" in answer.text


class TestWhereTheMockIsOff:
    @pytest.fixture
    def mock_settings(self) -> MockSettings:
        return MockSettings(_env_file=None, platform_enabled=False, webhook_secret=MOCK_SECRET)

    async def test_it_has_no_pages(self, client):
        assert (await client.get("/mock/standup-0a1b2c3d")).status_code == 404
        join = await client.post("/mock/standup-0a1b2c3d/join", data={"name": "Ann"})
        assert join.status_code == 404
