import re
from datetime import timedelta

import httpx

from reflector.app import create_app
from reflector.config.loading import Config
from reflector.db import Job
from tests.servers import free_port
from tests.support import empty_tables, mock_event, new_meeting, send_mock_event


async def test_health_checks_the_database_and_the_broker(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "outbox": {"waiting": 0, "oldest_seconds": None},
    }


async def test_health_says_when_the_broker_is_down_and_what_waits_for_it(config, clock):
    nobody = f"redis://127.0.0.1:{free_port()}/0"
    settings = config.settings.model_copy(update={"CELERY_BROKER_URL": nobody})
    app = create_app(
        Config(settings=settings, platforms=config.platforms), clock=clock, relay=False
    )
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        await empty_tables(runtime)
        async with runtime.db.write() as session:
            session.add(
                Job(
                    task="reflector.deliver_room_webhook",
                    not_before=clock() - timedelta(seconds=30),
                    created_at=clock(),
                )
            )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://reflector.test") as api:
            response = await api.get("/health")
    # The API still serves (200): a load balancer keeps it; monitoring reads the status.
    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "database": "ok",
        "broker": "unreachable",
        "outbox": {"waiting": 1, "oldest_seconds": 30.0},
    }


async def test_platforms_lists_capabilities(client, alice):
    response = await client.get("/v1/platforms", headers=alice)
    assert response.json() == [
        {
            "slug": "daily",
            "title": "Daily",
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
            "title": "Jitsi Meet",
            "configured": True,
            "missing": [],
            "capabilities": [],
        },
        {
            "slug": "mock",
            "title": "Mock",
            "configured": True,
            "missing": [],
            "capabilities": ["cloud_recording", "raw_tracks", "sessions_api"],
        },
        {
            "slug": "whereby",
            "title": "Whereby",
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
