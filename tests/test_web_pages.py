"""The web pages through the app: signing in, forms and their CSRF tokens, what each page
shows and to whom, and the headers that keep links private."""

import re

import httpx
import pytest
from fastapi import FastAPI

from reflector.runtime import Runtime
from tests.support import mock_event, new_meeting, send_mock_event, without_rate_limits
from tests.web import PASSWORD, csrf_of, make_user, page_token, sign_in


@pytest.fixture
async def browser(app: FastAPI):
    """A second client with its own cookie jar, like another person's browser."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reflector.test") as other:
        yield other


async def test_the_start_page_asks_to_sign_in(client):
    response = await client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert "<h1>Sign in</h1>" in response.text
    assert 'autocomplete="current-password"' in response.text
    # Its tab has the service's own icon, served from the package.
    assert '<link rel="icon" href="/static/favicon.svg"' in response.text
    icon = await client.get("/static/favicon.svg")
    assert (icon.status_code, icon.headers["content-type"]) == (200, "image/svg+xml")


async def test_signing_in_sets_a_private_session_cookie(client, runtime: Runtime):
    await make_user(runtime, "ann")
    response = await sign_in(client, "ann")
    assert response.status_code == 303
    assert response.headers["location"] == "/rooms"
    cookie = next(
        header
        for header in response.headers.get_list("set-cookie")
        if header.startswith("reflector_session=")
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie  # plain http on loopback; https adds it
    rooms = await client.get("/rooms")
    assert rooms.status_code == 200
    assert "ann" in rooms.text


async def test_over_https_the_cookie_is_secure(app, runtime: Runtime):
    await make_user(runtime, "ann")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://reflector.test") as tls:
        response = await sign_in(tls, "ann")
    assert "Secure" in response.headers["set-cookie"]


async def test_a_wrong_password_or_name_is_refused_alike(client, runtime: Runtime):
    await make_user(runtime, "ann")
    wrong_password = await sign_in(client, "ann", "not the password")
    wrong_name = await sign_in(client, "nobody", PASSWORD)
    for response in (wrong_password, wrong_name):
        assert response.status_code == 401
        assert "Wrong name or password." in response.text
        assert "reflector_session" not in response.headers.get("set-cookie", "")
    # The name stays filled in; the password is asked for again.
    assert 'name="name" value="ann"' in wrong_password.text
    assert 'autocomplete="current-password" required autofocus' in wrong_password.text


async def test_signing_in_needs_the_forms_own_token(client, runtime: Runtime):
    await make_user(runtime, "ann")
    await client.get("/signin")
    forged = await client.post(
        "/signin", data={"name": "ann", "password": PASSWORD, "csrf_token": "guessed"}
    )
    assert forged.status_code == 403
    assert (await client.get("/rooms")).status_code == 303


async def test_sign_in_attempts_are_rate_limited(client, runtime: Runtime):
    await make_user(runtime, "ann")
    answers = [(await sign_in(client, "ann", "wrong password")).status_code for _ in range(11)]
    assert answers[:10] == [401] * 10
    assert answers[10] == 429
    blocked = await sign_in(client, "ann")
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0
    assert "Too many attempts" in blocked.text


async def test_failures_from_many_addresses_do_not_lock_a_user_out(app, runtime: Runtime):
    await make_user(runtime, "bob")

    def from_address(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://reflector.test")

    for n in range(12):
        async with from_address(f"203.0.113.{n}") as attacker:
            assert (await sign_in(attacker, "bob", "a guess")).status_code == 401
    async with from_address("203.0.113.0") as attacker:
        assert (await sign_in(attacker, "bob", "another guess")).status_code == 429
    async with from_address("198.51.100.7") as bob:
        assert (await sign_in(bob, "bob")).status_code == 303


async def test_after_signing_in_the_page_asked_for_is_shown(client, runtime: Runtime):
    await make_user(runtime, "ann")
    first = await client.get("/transcripts?q=budget")
    assert first.status_code == 303
    assert first.headers["location"] == "/signin?next=/transcripts%3Fq%3Dbudget"
    form = await client.get(first.headers["location"])
    assert 'name="next" value="/transcripts?q=budget"' in form.text
    response = await sign_in(client, "ann", next_path="/transcripts?q=budget")
    assert response.headers["location"] == "/transcripts?q=budget"
    # Nothing found: the page says so and leads back to every transcript.
    empty = await client.get("/transcripts?q=budget")
    assert "No transcript has “budget”" in empty.text
    assert '<a href="/transcripts">show all transcripts</a>' in empty.text


@pytest.mark.parametrize("elsewhere", ["//evil.example/", "https://evil.example/", "/\\evil"])
async def test_signing_in_never_sends_the_browser_to_another_site(
    client, runtime: Runtime, elsewhere
):
    await make_user(runtime, "ann")
    response = await sign_in(client, "ann", next_path=elsewhere)
    assert response.headers["location"] == "/rooms"


async def test_signing_out_ends_the_session_everywhere(client, runtime: Runtime):
    await make_user(runtime, "ann")
    await sign_in(client, "ann")
    stolen = client.cookies["reflector_session"]
    token = await page_token(client)
    response = await client.post("/signout", data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["location"] == "/signin?signed_out=1"
    assert "You are signed out." in (await client.get(response.headers["location"])).text
    client.cookies.set("reflector_session", stolen)
    assert (await client.get("/rooms")).status_code == 303
    assert (await client.get("/v1/rooms")).status_code == 401


async def test_with_no_auth_everyone_is_the_local_user(client, runtime: Runtime):
    settings = runtime.config.settings.model_copy(update={"AUTH_BACKEND": "none"})
    object.__setattr__(runtime.config, "settings", settings)
    response = await client.get("/", follow_redirects=True)
    assert response.status_code == 200
    assert "<h1>Rooms</h1>" in response.text
    assert '<span class="who">local</span>' in response.text


async def test_with_no_auth_other_sites_pages_cannot_change_anything(client, runtime: Runtime):
    settings = runtime.config.settings.model_copy(update={"AUTH_BACKEND": "none"})
    object.__setattr__(runtime.config, "settings", settings)
    body = {"name": "standup"}
    forged = await client.post("/v1/rooms", json=body, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    assert "another site" in forged.json()["detail"]
    assert (await client.get("/v1/rooms")).json()["total"] == 0
    ours = await client.post("/v1/rooms", json=body, headers={"Origin": "http://reflector.test"})
    assert ours.status_code == 201
    scripted = await client.post("/v1/rooms", json={"name": "retro"})  # curl sends no Origin
    assert scripted.status_code == 201


async def test_the_api_takes_the_browsers_cookie_with_its_csrf_header(client, runtime: Runtime):
    await make_user(runtime, "ann")
    await sign_in(client, "ann")
    token = await page_token(client)
    assert (await client.get("/v1/rooms")).status_code == 200
    refused = await client.post("/v1/rooms", json={"name": "standup"})
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"]
    wrong = await client.post(
        "/v1/rooms", json={"name": "standup"}, headers={"X-CSRF-Token": "not-it"}
    )
    assert wrong.status_code == 403
    created = await client.post(
        "/v1/rooms", json={"name": "standup"}, headers={"X-CSRF-Token": token}
    )
    assert created.status_code == 201
    assert created.json()["owner"] == "ann"


async def test_forms_without_the_pages_token_change_nothing(client, runtime: Runtime):
    await make_user(runtime, "ann")
    await sign_in(client, "ann")
    response = await client.post("/rooms/new", data={"name": "standup", "platform": "mock"})
    assert response.status_code == 403
    assert "out of date" in response.text
    assert "standup" not in (await client.get("/rooms")).text


async def test_creating_a_room_from_the_form(client, runtime: Runtime):
    await make_user(runtime, "ann")
    await sign_in(client, "ann")
    token = await page_token(client, "/rooms/new")
    response = await client.post(
        "/rooms/new",
        data={
            "csrf_token": token,
            "name": "standup",
            "title": "Équipe du matin",
            "platform": "mock",
            "recording_type": "cloud",
            "recording_trigger": "none",
            "room_mode": "normal",
            "is_shared": "on",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/r/standup"
    rooms = await client.get("/rooms")
    assert "Équipe du matin" in rooms.text
    assert "shared" in rooms.text


async def test_a_bad_room_name_is_explained_in_the_form(client, runtime: Runtime):
    await make_user(runtime, "ann")
    await sign_in(client, "ann")
    token = await page_token(client, "/rooms/new")
    response = await client.post(
        "/rooms/new", data={"csrf_token": token, "name": "Stand Up", "platform": "mock"}
    )
    assert response.status_code == 422
    assert "a room name is 1 to 64 characters" in response.text
    assert 'value="Stand Up"' in response.text  # what was typed is kept
    assert 'aria-invalid="true"' in response.text


async def test_the_form_offers_only_configured_platforms_and_what_they_support(
    client, runtime: Runtime
):
    await make_user(runtime, "ann")
    await sign_in(client, "ann")
    form = (await client.get("/rooms/new")).text
    offered = re.findall(r'<option value="([a-z]+)" data-capabilities', form)
    configured = [s for s in runtime.platforms.slugs if runtime.platforms.is_configured(s)]
    assert offered == configured
    assert "daily" not in offered
    assert "whereby" not in offered
    assert re.search(r"Not configured on this server: Daily \(set DAILY_API_KEY", form)
    # The default platform (the mock) records in the cloud, so a new room does too.
    assert '<option value="cloud" data-needs="cloud_recording" selected>' in form
    token = csrf_of(form)
    refused = await client.post(
        "/rooms/new",
        data={"csrf_token": token, "name": "open", "platform": "jitsi", "recording_type": "cloud"},
    )
    assert refused.status_code == 422
    assert "jitsi cannot make cloud recordings" in refused.text


async def test_editing_and_deleting_a_room(client, runtime: Runtime):
    await make_user(runtime, "ann")
    await sign_in(client, "ann")
    token = await page_token(client)
    created = await client.post(
        "/v1/rooms", json={"name": "standup"}, headers={"X-CSRF-Token": token}
    )
    room_id = created.json()["id"]
    edited = await client.post(
        f"/rooms/{room_id}/edit",
        data={"csrf_token": token, "name": "standup", "title": "Daily standup", "platform": "mock"},
    )
    assert edited.status_code == 303
    assert "Daily standup" in (await client.get("/rooms")).text
    confirm = await client.get(f"/rooms/{room_id}/delete")
    assert "This cannot be undone." in confirm.text
    deleted = await client.post(f"/rooms/{room_id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 303
    assert "Daily standup" not in (await client.get("/rooms")).text


async def test_only_the_owner_edits_a_shared_room(client, browser, runtime: Runtime):
    await make_user(runtime, "ann")
    await make_user(runtime, "bob")
    await sign_in(client, "ann")
    await sign_in(browser, "bob")
    token = await page_token(client)
    created = await client.post(
        "/v1/rooms", json={"name": "standup", "is_shared": True}, headers={"X-CSRF-Token": token}
    )
    room_id = created.json()["id"]
    rooms = (await browser.get("/rooms")).text
    assert "/r/standup" in rooms
    assert f"/rooms/{room_id}/edit" not in rooms
    refused = await browser.get(f"/rooms/{room_id}/edit")
    assert refused.status_code == 403
    assert "<h1>Not allowed</h1>" in refused.text
    assert "Only the room&#39;s owner may change it." in refused.text


async def test_the_room_page_never_gives_a_participant_the_host_link(
    client, browser, runtime: Runtime, alice
):
    await make_user(runtime, "alice")
    await make_user(runtime, "bob")
    meeting = await new_meeting(client, alice, is_shared=True)
    host_link = meeting["host_room_url"]
    assert "roomKey=" in host_link
    await sign_in(browser, "bob")
    page = await browser.get("/r/standup")
    assert page.status_code == 200
    assert host_link not in page.text
    assert "roomKey" not in page.text
    assert 'id="end-meeting"' not in page.text
    token = csrf_of(page.text)
    headers = {"X-CSRF-Token": token}
    fetched = [
        await browser.post("/v1/rooms/standup/meeting", json={}, headers=headers),
        await browser.post(f"/v1/meetings/{meeting['id']}/join", json={}, headers=headers),
        await browser.get(f"/v1/meetings/{meeting['id']}"),
        await browser.get("/v1/presence"),
    ]
    for response in fetched:
        assert response.status_code == 200, response.text
        assert "roomKey" not in response.text
    await sign_in(client, "alice")
    owner_page = await client.get("/r/standup")
    assert 'id="end-meeting"' in owner_page.text


async def test_pages_with_links_are_neither_cached_nor_referred(client, runtime: Runtime, alice):
    await make_user(runtime, "alice")
    await new_meeting(client, alice)
    await sign_in(client, "alice")
    page = await client.get("/r/standup")
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    policy = page.headers["content-security-policy"]
    assert "script-src 'self';" in policy  # the mock loads nothing from elsewhere
    assert "frame-src 'self' http://127.0.0.1:1250;" in policy  # its meeting page
    assert "frame-ancestors 'none'" in policy


async def test_a_jitsi_room_page_allows_exactly_jitsis_script_and_frames(
    client, runtime: Runtime, alice
):
    jitsi = runtime.config.platforms["jitsi"].model_copy(update={"domain": "meet.example.com"})
    object.__setattr__(runtime.config, "platforms", {**runtime.config.platforms, "jitsi": jitsi})
    await make_user(runtime, "alice")
    await client.post("/v1/rooms", json={"name": "open", "platform": "jitsi"}, headers=alice)
    await sign_in(client, "alice")
    page = await client.get("/r/open")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self' https://meet.example.com/;" in policy
    assert "frame-src https://meet.example.com;" in policy
    assert '<script src="https://meet.example.com/external_api.js" defer>' in page.text
    assert '<script src="/platforms/jitsi/embed.js" defer>' in page.text
    script = await client.get("/platforms/jitsi/embed.js")
    assert script.status_code == 200
    assert "JitsiMeetExternalAPI" in script.text
    assert (await client.get("/platforms/nowhere/embed.js")).status_code == 404


async def test_presence_counts_who_is_in_each_room(client, runtime: Runtime, alice):
    await make_user(runtime, "alice")
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    for person in ("p1", "p2"):
        body = mock_event("participant.joined", room, person, user_name=person.upper())
        assert (await send_mock_event(client, body, int(runtime.clock().timestamp()))).is_success
    presence = await client.get("/v1/presence", headers=alice)
    assert presence.json() == [
        {
            "room_id": meeting["room_id"],
            "room_name": "standup",
            "meeting_id": meeting["id"],
            "platform": "mock",
            "num_clients": 2,
        }
    ]
    await sign_in(client, "alice")
    rooms = await client.get("/rooms")
    assert re.search(r"data-count>2</span> in the room now", rooms.text)
    page = await client.get("/r/standup")
    assert "<li>P1</li>" in page.text
    assert "<li>P2</li>" in page.text


async def test_api_keys_page_creates_and_revokes_only_ones_own(client, browser, runtime: Runtime):
    without_rate_limits(runtime)
    await make_user(runtime, "ann")
    await make_user(runtime, "bob")
    await sign_in(client, "ann")
    token = await page_token(client, "/keys")
    created = await client.post("/keys", data={"csrf_token": token, "name": "laptop"})
    assert created.status_code == 201
    assert created.headers["referrer-policy"] == "no-referrer"
    key = re.search(r'<output class="secret" id="new-key">(rfl_[^<]+)</output>', created.text)
    assert key
    listed = await client.get("/v1/rooms", headers={"Authorization": f"Bearer {key.group(1)}"})
    assert listed.status_code == 200
    again = await client.get("/keys")
    assert key.group(1) not in again.text  # shown once
    key_id = re.search(r'href="/keys/([0-9a-f-]+)/revoke"', again.text)
    assert key_id
    confirm = await client.get(f"/keys/{key_id.group(1)}/revoke")
    assert "Revoke the key laptop?" in confirm.text
    assert f'action="/keys/{key_id.group(1)}/revoke"' in confirm.text

    await sign_in(browser, "bob")
    bob_token = await page_token(browser, "/keys")
    assert "laptop" not in (await browser.get("/keys")).text
    assert (await browser.get(f"/keys/{key_id.group(1)}/revoke")).status_code == 404
    await browser.post(f"/keys/{key_id.group(1)}/revoke", data={"csrf_token": bob_token})
    still = await client.get("/v1/rooms", headers={"Authorization": f"Bearer {key.group(1)}"})
    assert still.status_code == 200

    await client.post(f"/keys/{key_id.group(1)}/revoke", data={"csrf_token": token})
    gone = await client.get("/v1/rooms", headers={"Authorization": f"Bearer {key.group(1)}"})
    assert gone.status_code == 401
    assert (await client.get(f"/keys/{key_id.group(1)}/revoke")).status_code == 404


async def test_unknown_pages_say_so_in_words(client, runtime: Runtime):
    await make_user(runtime, "ann")
    await sign_in(client, "ann")
    missing = await client.get("/r/no-such-room")
    assert missing.status_code == 404
    assert "<h1>Not found</h1>" in missing.text
    assert "Room not found." in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    # Still signed in, with the way on.
    assert 'href="/rooms"' in missing.text
    assert "Sign out" in missing.text
    for address in ("/transcripts/not-a-uuid", "/no/such/page"):
        absent = await client.get(address, headers={"Accept": "text/html"})
        assert absent.status_code == 404
        assert "There is no page at this address." in absent.text
        assert "Sign out" in absent.text
    wrong_page = await client.get("/transcripts?page=first")
    assert wrong_page.status_code == 400
    assert "Sign out" in wrong_page.text
    assert "valid integer" in wrong_page.text
    # The API, and callers that do not ask for HTML, still get JSON.
    assert (await client.get("/v1/no-such-thing", headers={"Accept": "text/html"})).json()
    assert (await client.get("/no/such/page")).json() == {"detail": "Not Found"}
