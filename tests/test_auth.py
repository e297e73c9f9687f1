import pytest

from reflector.accounts import auth


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/rooms"),
        ("POST", "/v1/rooms"),
        ("GET", "/v1/rooms/name/x"),
        ("POST", "/v1/rooms/x/meeting"),
        ("GET", "/v1/rooms/x/meetings/active"),
        ("GET", "/v1/meetings/00000000-0000-0000-0000-000000000000"),
        ("POST", "/v1/meetings/00000000-0000-0000-0000-000000000000/join"),
        ("GET", "/v1/platforms"),
    ],
)
async def test_management_routes_need_an_api_key(client, alice, method, path):
    missing = await client.request(method, path)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "missing API key" in missing.json()["detail"]
    wrong = await client.request(method, path, headers={"Authorization": "Bearer rfl_wrong"})
    assert wrong.status_code == 401
    assert "invalid" in wrong.json()["detail"]


async def test_revoked_keys_stop_working(client, runtime):
    key = await auth.create_api_key(runtime.db, runtime.clock, "ci", "ci-user")
    headers = {"Authorization": f"Bearer {key}"}
    assert (await client.get("/v1/rooms", headers=headers)).status_code == 200
    assert await auth.revoke_api_key(runtime.db, runtime.clock, "ci")
    assert (await client.get("/v1/rooms", headers=headers)).status_code == 401
    assert not await auth.revoke_api_key(runtime.db, runtime.clock, "ci")


async def test_keys_are_stored_hashed(runtime):
    key = await auth.create_api_key(runtime.db, runtime.clock, "ci", "ci-user")
    [stored] = await auth.list_api_keys(runtime.db)
    assert key not in (stored.key_hash, stored.prefix)
    assert stored.key_hash == auth.digest(key)


async def test_key_names_are_unique_among_a_users_keys(runtime):
    await auth.create_api_key(runtime.db, runtime.clock, "ci", "ci-user")
    with pytest.raises(ValueError, match="you have an API key named 'ci' already"):
        await auth.create_api_key(runtime.db, runtime.clock, "ci", "ci-user")
    # Another user's name for a key tells nothing, and takes nothing.
    await auth.create_api_key(runtime.db, runtime.clock, "ci", "other")


async def test_auth_backend_none_needs_no_key(config, client, runtime):
    settings = config.settings.model_copy(update={"AUTH_BACKEND": "none"})
    object.__setattr__(runtime.config, "settings", settings)
    response = await client.post("/v1/rooms", json={"name": "open"})
    assert response.status_code == 201
    assert response.json()["owner"] == auth.LOCAL_USER
