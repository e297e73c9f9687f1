"""With `AUTH_BACKEND=none` the service answers only to loopback names (and PUBLIC_URL's
host), so that another site cannot drive it through DNS rebinding; TRUSTED_HOSTS names the
hosts in any mode."""

import httpx
import pytest
from pydantic import AnyHttpUrl

REBOUND = "rebind.evil.example:1250"


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={"AUTH_BACKEND": "none", "PUBLIC_URL": AnyHttpUrl("https://meet.example.org")}
    )


async def as_host(app, host: str, method: str, path: str, **extra) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{host}") as client:
        return await client.request(method, path, **extra)


@pytest.mark.parametrize(
    "host", ["127.0.0.1:1250", "localhost:1250", "[::1]:1250", "meet.example.org"]
)
async def test_the_services_own_names_are_answered(app, host):
    assert (await as_host(app, host, "GET", "/v1/rooms")).status_code == 200


async def test_a_rebound_name_is_refused_whatever_its_origin_says(app):
    origin = {"Origin": f"http://{REBOUND}"}
    created = await as_host(app, REBOUND, "POST", "/v1/rooms", json={"name": "x"}, headers=origin)
    assert created.status_code == 421
    assert "does not answer to the host name 'rebind.evil.example'" in created.json()["detail"]
    assert (await as_host(app, REBOUND, "GET", "/v1/rooms")).status_code == 421
    assert (await as_host(app, "127.0.0.1:1250", "GET", "/v1/rooms")).json()["items"] == []


class TestTrustedHostsInAnyMode:
    @pytest.fixture
    def settings(self, settings):
        return settings.model_copy(
            update={"AUTH_BACKEND": "apikey", "TRUSTED_HOSTS": frozenset({"Reflector.Example.com"})}
        )

    async def test_only_the_trusted_names_are_answered(self, app):
        assert (await as_host(app, "reflector.example.com", "GET", "/health")).status_code == 200
        assert (await as_host(app, "other.example.com", "GET", "/health")).status_code == 421
