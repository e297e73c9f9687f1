"""Safe fetching: nothing outside the policy is ever connected to (B5-B7).

Names are resolved by an injected resolver and outside addresses are never contacted: a
transport that fails the test stands where the network would be. The only real sockets go
to a local server on 127.0.0.1, reachable only with the test-only loopback allowance.
"""

import hashlib
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from reflector.infra.fetch import FetchPolicy, FetchRefused, fetch
from reflector.infra.job_errors import TransientJobError
from reflector.infra.storage import LocalStorage, TooLarge

BODY = bytes(range(256)) * 1200
NAMES = {
    "media.test": ["127.0.0.1"],
    "public.test": ["93.184.216.34"],
    "evil.test": ["10.0.0.1"],
    "metadata.test": ["169.254.169.254"],
    "v6.test": ["::1"],
    "mapped.test": ["::ffff:127.0.0.1"],
    "mixed.test": ["93.184.216.34", "192.168.1.20"],
}
ALLOWED = (".test",)


async def resolver(host: str, port: int) -> list[str]:
    return NAMES[host]


def no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"connected to {request.url} although the policy forbids it")


SPY = httpx.MockTransport(no_network)


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            routes = {
                "/file": (200, {}, BODY),
                "/elsewhere": (302, {"Location": "https://evil.test/file"}, b""),
                "/hop": (302, {"Location": "/file"}, b""),
                "/missing": (404, {}, b""),
                "/busy": (503, {}, b""),
            }
            status, headers, body = routes[self.path]
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield int(httpd.server_address[1])
    httpd.shutdown()


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "storage")


def policy(**overrides) -> FetchPolicy:
    return FetchPolicy(**{"allowed_hosts": ALLOWED, "max_bytes": 10_000_000, **overrides})


async def test_a_loopback_test_server_is_fetched_when_allowed(server, storage):
    stored = await fetch(
        f"http://media.test:{server}/hop",
        policy(allow_loopback_http=True),
        storage,
        "recordings/x/track-0.mp4",
        resolver=resolver,
    )
    assert (stored.size, stored.sha256) == (len(BODY), hashlib.sha256(BODY).hexdigest())


async def test_the_connection_goes_to_the_checked_address_with_the_real_name(storage):
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=b"media")

    await fetch(
        "https://public.test/rec.mp4",
        policy(),
        storage,
        "recordings/x/track-0.mp4",
        resolver=resolver,
        transport=httpx.MockTransport(handler),
    )
    [request] = seen
    assert request.url.host == "93.184.216.34"
    assert request.headers["host"] == "public.test"
    assert request.extensions["sni_hostname"] == "public.test"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://public.test/rec.mp4", "only https"),
        ("ftp://public.test/rec.mp4", "only https"),
        ("https://example.com/rec.mp4", "not on the allow-list"),
        ("https://evil.test/rec.mp4", "non-public address (10.0.0.1)"),
        ("https://metadata.test/latest", "non-public address (169.254.169.254)"),
        ("https://v6.test/rec.mp4", "non-public address (::1)"),
        ("https://mapped.test/rec.mp4", "non-public address (::ffff:7f00:1)"),
        ("https://mixed.test/rec.mp4", "non-public address (192.168.1.20)"),
        ("http://media.test/rec.mp4", "only https"),
        ("not a url at all", "allow-list"),
    ],
)
async def test_urls_outside_the_policy_are_refused_before_connecting(storage, url, reason):
    with pytest.raises(FetchRefused, match=re.escape(reason)):
        await fetch(
            url, policy(), storage, "recordings/x/track-0.mp4", resolver=resolver, transport=SPY
        )


async def test_a_redirect_to_a_forbidden_host_is_not_followed(server, storage):
    with pytest.raises(FetchRefused, match="non-public address"):
        await fetch(
            f"http://media.test:{server}/elsewhere",
            policy(allow_loopback_http=True),
            storage,
            "recordings/x/track-0.mp4",
            resolver=resolver,
        )


async def test_the_size_cap_holds_while_streaming(server, storage, tmp_path):
    with pytest.raises(TooLarge):
        await fetch(
            f"http://media.test:{server}/file",
            policy(allow_loopback_http=True, max_bytes=100_000),
            storage,
            "recordings/x/track-0.mp4",
            resolver=resolver,
        )
    assert [p for p in (tmp_path / "storage").rglob("*") if p.is_file()] == []


async def test_server_errors_are_sorted_by_what_to_do_next(server, storage):
    loopback = policy(allow_loopback_http=True)
    with pytest.raises(FetchRefused, match="404"):
        await fetch(
            f"http://media.test:{server}/missing",
            loopback,
            storage,
            "recordings/x/a.mp4",
            resolver=resolver,
        )
    with pytest.raises(TransientJobError, match="503"):
        await fetch(
            f"http://media.test:{server}/busy",
            loopback,
            storage,
            "recordings/x/a.mp4",
            resolver=resolver,
        )
