"""The vendor HTTP seam: rate limits waited out, every failure in the core's terms."""

import httpx
import pytest
from pydantic import BaseModel, SecretStr

from reflector.video_platforms.errors import (
    PlatformAuthError,
    PlatformRequestError,
    PlatformUnavailable,
    RoomNotFound,
)
from reflector.video_platforms.vendor_api import RATE_LIMIT_ATTEMPTS, VendorAPI


class Answer(BaseModel):
    name: str


def api_answering(*answers: httpx.Response | Exception) -> tuple[VendorAPI, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(answers)

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    transport = httpx.MockTransport(handle)
    return VendorAPI("vendor", "https://api.vendor.test/v1", SecretStr("key"), transport), seen


async def test_rate_limits_are_waited_out():
    limited = httpx.Response(429, headers={"Retry-After": "0"}, json={"error": "rate-limit-error"})
    api, seen = api_answering(limited, limited, httpx.Response(200, json={"name": "r"}))
    assert (await api.read(Answer, "GET", "/rooms/r")).name == "r"
    assert len(seen) == 3
    assert seen[0].headers["authorization"] == "Bearer key"
    assert str(seen[0].url) == "https://api.vendor.test/v1/rooms/r"


async def test_a_rate_limit_that_lasts_is_unavailable():
    api, seen = api_answering(httpx.Response(429, headers={"Retry-After": "0"}))
    with pytest.raises(PlatformUnavailable, match="429"):
        await api.request("GET", "/rooms")
    assert len(seen) == RATE_LIMIT_ATTEMPTS


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (httpx.Response(401, json={"error": "authentication-error"}), PlatformAuthError),
        (httpx.Response(403), PlatformAuthError),
        (httpx.Response(404, json={"error": "not-found"}), RoomNotFound),
        (httpx.Response(400, json={"error": "invalid-request-error"}), PlatformRequestError),
        (httpx.Response(503), PlatformUnavailable),
        (httpx.ConnectError("refused"), PlatformUnavailable),
        (httpx.ReadTimeout("slow"), PlatformUnavailable),
        (httpx.Response(200, text="<html>"), PlatformUnavailable),
    ],
)
async def test_failures_are_translated(answer, error):
    api, _ = api_answering(answer)
    with pytest.raises(error):
        await api.read(Answer, "POST", "/rooms", json={})
