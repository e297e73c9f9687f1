import pytest
from sqlalchemy import select

from reflector.db import Job
from reflector.rooms.lifecycle import DELETE_PLATFORM_ROOM
from reflector.runtime import Runtime


async def create_room(client, headers, name="standup", **fields):
    response = await client.post("/v1/rooms", json={"name": name, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def error_locations(response) -> list[list[str]]:
    return [error["loc"] for error in response.json()["detail"]]


async def test_create_room_uses_default_platform_and_caller_as_owner(client, alice):
    room = await create_room(client, alice)
    assert room["name"] == "standup"
    assert room["owner"] == "alice"
    assert room["platform"] == "mock"
    assert room["recording_trigger"] == "automatic-2nd-participant"
    assert room["webhook_secret"] is None

    fetched = await client.get(f"/v1/rooms/{room['id']}", headers=alice)
    assert fetched.json() == room
    by_name = await client.get("/v1/rooms/name/standup", headers=alice)
    assert by_name.json() == room


async def test_room_names_are_unique(client, alice, bob):
    await create_room(client, alice)
    response = await client.post("/v1/rooms", json={"name": "standup"}, headers=bob)
    assert response.status_code == 409
    assert "already exists" in response.json()["detail"]


@pytest.mark.parametrize(
    "name", ["Standup", "stand up", "-standup", "standup-", "a" * 65, "stand\u0000up", "", "ä"]
)
async def test_room_name_must_be_a_url_safe_slug(client, alice, name):
    response = await client.post("/v1/rooms", json={"name": name}, headers=alice)
    assert response.status_code == 422
    assert ["body", "name"] in error_locations(response)
    [error] = response.json()["detail"]
    assert error["msg"].startswith("a room name is 1 to 64 characters: lowercase letters")


async def test_unknown_platform_is_refused_naming_the_field(client, alice):
    response = await client.post("/v1/rooms", json={"name": "x", "platform": "zoom"}, headers=alice)
    assert response.status_code == 422
    assert error_locations(response) == [["body", "platform"]]
    assert "unknown platform" in response.json()["detail"][0]["msg"]


async def test_unconfigured_platform_is_refused(config, client, alice, runtime: Runtime):
    disabled = config.platforms["mock"].model_copy(update={"platform_enabled": False})
    object.__setattr__(runtime.config, "platforms", {"mock": disabled})
    response = await client.post("/v1/rooms", json={"name": "x", "platform": "mock"}, headers=alice)
    assert response.status_code == 422
    assert "MOCK_PLATFORM_ENABLED=true" in response.json()["detail"][0]["msg"]


async def test_a_recording_the_platform_cannot_make_is_refused(client, alice):
    # The test Jitsi has no webhook secret: no Jibri recording can reach us.
    asked = {"name": "jibri", "platform": "jitsi", "recording_type": "cloud"}
    refused = await client.post("/v1/rooms", json=asked, headers=alice)
    assert refused.status_code == 422
    assert refused.json()["detail"] == [
        {
            "loc": ["body", "recording_type"],
            "msg": "jitsi cannot make cloud recordings",
            "type": "value_error",
        }
    ]
    local = await client.post("/v1/rooms", json=asked | {"recording_type": "local"}, headers=alice)
    assert local.status_code == 201
    change = {"recording_type": "cloud"}
    patched = await client.patch(f"/v1/rooms/{local.json()['id']}", json=change, headers=alice)
    assert patched.status_code == 422
    onto_mock = await client.patch(
        f"/v1/rooms/{local.json()['id']}", json=change | {"platform": "mock"}, headers=alice
    )
    assert onto_mock.status_code == 200


async def test_a_new_room_records_what_its_platform_can_and_takes_its_own_values_back(
    client, alice
):
    for platform, recording in [("jitsi", "none"), ("mock", "cloud")]:
        created = await client.post(
            "/v1/rooms", json={"name": f"on-{platform}", "platform": platform}, headers=alice
        )
        assert created.status_code == 201
        room = created.json()
        assert room["recording_type"] == recording
        same = {field: room[field] for field in ("platform", "recording_type", "room_mode")}
        patched = await client.patch(f"/v1/rooms/{room['id']}", json=same, headers=alice)
        assert patched.status_code == 200, patched.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "room_mode": "party"}, "room_mode"),
        ({"name": "x", "recording_type": "tape"}, "recording_type"),
        ({"name": "x", "is_shared": "perhaps"}, "is_shared"),
        ({"name": "x", "webhook_url": "not a url"}, "webhook_url"),
        ({"name": "x", "webhook_url": "ftp://example.com/hook"}, "webhook_url"),
        ({"name": "x", "webhook_secret": "hunter2"}, "webhook_secret"),
        ({"name": "x", "colour": "blue"}, "colour"),
    ],
)
async def test_invalid_fields_get_422_naming_the_field(client, alice, body, field):
    response = await client.post("/v1/rooms", json=body, headers=alice)
    assert response.status_code == 422
    assert ["body", field] in error_locations(response)


@pytest.mark.parametrize("escaped", [r"\ud800", r"\u0000"])
async def test_strings_postgresql_cannot_store_get_422(client, alice, escaped):
    body = '{"name": "x", "webhook_url": "https://example.com/' + escaped + '"}'
    headers = {**alice, "Content-Type": "application/json"}
    response = await client.post("/v1/rooms", content=body.encode(), headers=headers)
    assert response.status_code == 422
    assert ["body", "webhook_url"] in error_locations(response)


async def test_malformed_and_hostile_bodies_get_4xx(client, alice):
    headers = {**alice, "Content-Type": "application/json"}
    for content in [b"{", b"[" * 10_000 + b"]" * 10_000, b'{"name": NaN}', b"\xff\xfe"]:
        response = await client.post("/v1/rooms", content=content, headers=headers)
        assert 400 <= response.status_code < 500, (content[:20], response.text)
    huge = b'{"name": "' + b"a" * (1024 * 1024 + 1) + b'"}'
    response = await client.post("/v1/rooms", content=huge, headers=headers)
    assert response.status_code == 413
    assert response.json() == {
        "detail": "the request body is too large: at most 1048576 bytes are accepted here"
    }


async def test_webhook_url_and_secret_are_shown_only_to_the_owner(client, alice, bob):
    room = await create_room(
        client, alice, webhook_url="https://hooks.example.com/reflector", is_shared=True
    )
    assert room["webhook_secret"].startswith("whsec_")
    as_bob = await client.get(f"/v1/rooms/{room['id']}", headers=bob)
    assert as_bob.status_code == 200
    assert (as_bob.json()["webhook_url"], as_bob.json()["webhook_secret"]) == (None, None)
    listed = await client.get("/v1/rooms", headers=bob)
    assert [(r["webhook_url"], r["webhook_secret"]) for r in listed.json()["items"]] == [
        (None, None)
    ]
    by_name = await client.get("/v1/rooms/name/" + room["name"], headers=bob)
    assert by_name.json()["webhook_url"] is None


async def test_rooms_list_is_paginated(client, alice):
    for name in ["a", "b", "c"]:
        await create_room(client, alice, name=name)
    first = (await client.get("/v1/rooms?size=2&page=1", headers=alice)).json()
    second = (await client.get("/v1/rooms?size=2&page=2", headers=alice)).json()
    assert (first["total"], first["page"], first["size"]) == (3, 1, 2)
    assert len(first["items"]) == 2
    assert len(second["items"]) == 1
    names = {r["name"] for r in first["items"] + second["items"]}
    assert names == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("query", "field"),
    [("size=0", "size"), ("size=101", "size"), ("page=0", "page"), ("page=abc", "page")],
)
async def test_pagination_parameters_are_validated(client, alice, query, field):
    response = await client.get(f"/v1/rooms?{query}", headers=alice)
    assert response.status_code == 422
    assert ["query", field] in error_locations(response)


async def test_another_owners_private_room_is_invisible(client, alice, bob):
    room = await create_room(client, alice)
    assert (await client.get(f"/v1/rooms/{room['id']}", headers=bob)).status_code == 404
    assert (await client.get("/v1/rooms/name/standup", headers=bob)).status_code == 404
    assert (await client.get("/v1/rooms", headers=bob)).json()["total"] == 0
    patch = await client.patch(f"/v1/rooms/{room['id']}", json={"is_locked": True}, headers=bob)
    assert patch.status_code == 404
    assert (await client.delete(f"/v1/rooms/{room['id']}", headers=bob)).status_code == 404


async def test_shared_room_is_visible_but_only_the_owner_changes_it(client, alice, bob):
    room = await create_room(client, alice, is_shared=True)
    assert (await client.get(f"/v1/rooms/{room['id']}", headers=bob)).status_code == 200
    patch = await client.patch(f"/v1/rooms/{room['id']}", json={"is_locked": True}, headers=bob)
    assert patch.status_code == 403
    assert (await client.delete(f"/v1/rooms/{room['id']}", headers=bob)).status_code == 403


async def test_owner_updates_a_room(client, alice):
    room = await create_room(client, alice)
    await create_room(client, alice, name="taken")
    url = f"/v1/rooms/{room['id']}"
    response = await client.patch(
        url, json={"is_locked": True, "room_mode": "group"}, headers=alice
    )
    assert response.status_code == 200
    assert (response.json()["is_locked"], response.json()["room_mode"]) == (True, "group")
    assert (await client.patch(url, json={"name": "taken"}, headers=alice)).status_code == 409
    bad = await client.patch(url, json={"platform": "zoom"}, headers=alice)
    assert bad.status_code == 422
    assert error_locations(bad) == [["body", "platform"]]
    for field in ["platform", "name", "is_locked", "room_mode", "recording_type", "is_shared"]:
        null = await client.patch(url, json={field: None}, headers=alice)
        assert null.status_code == 422, field
        assert error_locations(null) == [["body", field]]
    renamed = await client.patch(url, json={"name": "daily-sync"}, headers=alice)
    assert renamed.json()["name"] == "daily-sync"


async def test_delete_room(client, alice):
    room = await create_room(client, alice)
    assert (await client.delete(f"/v1/rooms/{room['id']}", headers=alice)).status_code == 204
    assert (await client.get(f"/v1/rooms/{room['id']}", headers=alice)).status_code == 404


async def test_deleting_a_room_ends_its_meeting_and_deletes_the_platform_room(
    client, alice, runtime
):
    room = await create_room(client, alice)
    meeting = (await client.post("/v1/rooms/standup/meeting", headers=alice)).json()
    assert (await client.delete(f"/v1/rooms/{room['id']}", headers=alice)).status_code == 204
    assert (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).status_code == 404
    async with runtime.db.read() as session:
        deletions = (
            await session.scalars(select(Job.args).where(Job.task == DELETE_PLATFORM_ROOM.name))
        ).all()
    assert deletions == [
        {
            "platform": "mock",
            "room_name": meeting["platform_room_name"],
            "meeting_id": meeting["platform_meeting_id"],
        }
    ]


async def test_room_ids_are_validated(client, alice):
    response = await client.get("/v1/rooms/not-a-uuid", headers=alice)
    assert response.status_code == 422
    assert ["path", "room_id"] in error_locations(response)


async def test_a_room_has_a_human_title_in_any_language(client, alice):
    room = await create_room(client, alice, name="weekly", title="Réunion hebdo — 週次ミーティング")
    assert (room["name"], room["title"]) == ("weekly", "Réunion hebdo — 週次ミーティング")
    patched = await client.patch(
        f"/v1/rooms/{room['id']}", json={"title": "Weekly sync"}, headers=alice
    )
    assert patched.json()["title"] == "Weekly sync"
    cleared = await client.patch(f"/v1/rooms/{room['id']}", json={"title": None}, headers=alice)
    assert cleared.json()["title"] is None
    too_long = await client.patch(
        f"/v1/rooms/{room['id']}", json={"title": "x" * 201}, headers=alice
    )
    assert too_long.status_code == 422


async def test_a_rooms_meetings_past_included_newest_first(client, alice, bob, clock):
    room = await create_room(client, alice, name="history")
    ids = []
    for _ in range(3):
        meeting = (await client.post("/v1/rooms/history/meeting", headers=alice)).json()
        ids.append(meeting["id"])
        await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
        clock.advance(60)
    first = await client.get(f"/v1/rooms/{room['id']}/meetings?size=2", headers=alice)
    assert first.status_code == 200
    assert (first.json()["total"], [m["id"] for m in first.json()["items"]]) == (3, ids[:0:-1])
    second = await client.get(f"/v1/rooms/{room['id']}/meetings?size=2&page=2", headers=alice)
    assert [m["id"] for m in second.json()["items"]] == [ids[0]]
    assert {m["state"] for m in first.json()["items"]} == {"ended"}
    hidden = await client.get(f"/v1/rooms/{room['id']}/meetings", headers=bob)
    assert hidden.status_code == 404


async def test_a_text_too_long_is_told_in_characters(client, alice):
    long_title = await client.post(
        "/v1/rooms", json={"name": "long", "title": "x" * 300}, headers=alice
    )
    assert long_title.status_code == 422
    [problem] = long_title.json()["detail"]
    assert (problem["loc"], problem["msg"]) == (
        ["body", "title"],
        "must be at most 200 characters long (it is 300)",
    )
    long_url = await client.post(
        "/v1/rooms",
        json={"name": "long", "webhook_url": "https://hooks.example.com/" + "x" * 3000},
        headers=alice,
    )
    assert "must be at most 2048 characters long" in long_url.json()["detail"][0]["msg"]
