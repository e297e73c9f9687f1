import re

from tests.support import mock_event, new_meeting, send_mock_event


async def test_health_checks_the_database(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


async def test_platforms_lists_capabilities(client, alice):
    response = await client.get("/v1/platforms", headers=alice)
    assert response.json() == [
        {
            "slug": "daily",
            "configured": False,
            "missing": ["DAILY_API_KEY"],
            "capabilities": [
                "cloud_recording",
                "per_user_tokens",
                "server_recording",
                "sessions_api",
            ],
        },
        {
            "slug": "jitsi",
            "configured": True,
            "missing": [],
            "capabilities": ["sessions_api"],
        },
        {
            "slug": "mock",
            "configured": True,
            "missing": [],
            "capabilities": ["cloud_recording", "raw_tracks", "sessions_api"],
        },
        {
            "slug": "whereby",
            "configured": False,
            "missing": ["WHEREBY_API_KEY"],
            "capabilities": ["logo", "sessions_api"],
        },
    ]


async def test_platform_health_reports_the_last_event(client, alice, clock):
    before = (await client.get("/v1/mock/health")).json()
    assert before == {"platform": "mock", "configured": True, "missing": [], "last_event_at": None}
    meeting = await new_meeting(client, alice)
    body = mock_event("participant.joined", meeting["platform_room_name"])
    await send_mock_event(client, body, int(clock().timestamp()))
    after = (await client.get("/v1/mock/health")).json()
    assert after["last_event_at"] == clock().isoformat().replace("+00:00", "Z")
    assert (await client.get("/v1/zoom/health")).status_code == 404


async def test_metrics_count_meetings_and_webhooks(client, alice, clock):
    meeting = await new_meeting(client, alice)
    body = mock_event("participant.joined", meeting["platform_room_name"])
    await send_mock_event(client, body, int(clock().timestamp()))
    await client.post("/v1/mock/webhook", content=body)
    text = (await client.get("/metrics")).text
    assert 'reflector_meetings_created_total{platform="mock"}' in text
    assert 'reflector_webhook_requests_total{platform="mock",verification="rejected"}' in text
    assert (
        'reflector_webhook_events_total{outcome="processed",platform="mock",'
        'type="participant.joined"}' in text
    )
    assert 'reflector_platform_selections_total{platform="mock",reason="room"}' in text


async def test_openapi_describes_every_route(client):
    schema = (await client.get("/openapi.json")).json()
    assert {
        "/v1/rooms",
        "/v1/rooms/{room_id}",
        "/v1/rooms/name/{room_name}",
        "/v1/rooms/{room_name}/meeting",
        "/v1/rooms/{room_name}/meetings/active",
        "/v1/meetings/{meeting_id}",
        "/v1/meetings/{meeting_id}/join",
        "/v1/meetings/{meeting_id}/sessions",
        "/v1/meetings/{meeting_id}/end",
        "/v1/mock/webhook",
        "/v1/{platform}/health",
        "/v1/platforms",
        "/health",
        "/metrics",
    } <= set(schema["paths"])
    assert (await client.get("/docs")).status_code == 200


async def test_the_docs_page_needs_no_cdn(client):
    page = await client.get("/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert not [source for source in sources if "//" in source], sources
    for source in sources:
        asset = await client.get(source)
        assert asset.status_code == 200, source
        assert asset.content, source
