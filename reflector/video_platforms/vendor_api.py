"""One platform's REST API over HTTP: a connection pool, bearer auth, rate limits waited out,
and every failure translated into the core's error hierarchy at this seam."""

import asyncio
import random
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from reflector import USER_AGENT
from reflector.video_platforms.errors import (
    PlatformAuthError,
    PlatformRequestError,
    PlatformUnavailable,
    RoomNotFound,
)

TIMEOUT = httpx.Timeout(10.0)
RATE_LIMIT_ATTEMPTS = 4
MAX_WAIT_SECONDS = 30.0
ModelT = TypeVar("ModelT", bound=BaseModel)


class VendorAPI:
    def __init__(
        self,
        platform: str,
        base_url: str,
        api_key: SecretStr | None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.platform = platform
        headers = {"User-Agent": USER_AGENT}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key.get_secret_value()}"
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"), headers=headers, timeout=TIMEOUT, transport=transport
        )

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request; a 2xx answer is returned, anything else raised as a PlatformError.

        429 is retried with exponential backoff and full jitter, never sooner than a
        `Retry-After` asks; 404 is `RoomNotFound`; 401/403 `PlatformAuthError`; 5xx,
        timeouts and connection failures `PlatformUnavailable`; other 4xx
        `PlatformRequestError` carrying the vendor's own explanation.
        """
        for attempt in range(RATE_LIMIT_ATTEMPTS):
            try:
                response = await self._http.request(method, path, **kwargs)
            except httpx.HTTPError as exc:
                raise PlatformUnavailable(self.platform, f"{method} {path}: {exc!r}") from exc
            if response.status_code != 429:
                break
            if attempt + 1 < RATE_LIMIT_ATTEMPTS:
                await asyncio.sleep(_wait(attempt, response.headers.get("retry-after")))
        return self._checked(method, path, response)

    async def read(self, model: type[ModelT], method: str, path: str, **kwargs: Any) -> ModelT:
        """`request`, with the answer read as `model`; an unreadable answer is the vendor's
        fault, so it counts as unavailable."""
        response = await self.request(method, path, **kwargs)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise PlatformUnavailable(
                self.platform, f"{method} {path}: unexpected answer: {exc.errors()[0]['msg']}"
            ) from exc

    def _checked(self, method: str, path: str, response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status < 300:
            return response
        what = f"{method} {path}: HTTP {status} {response.text[:300]}"
        if status == 429 or status >= 500:
            raise PlatformUnavailable(self.platform, what)
        if status in (401, 403):
            raise PlatformAuthError(self.platform, what)
        if status == 404:
            raise RoomNotFound(self.platform, what)
        raise PlatformRequestError(self.platform, what)

    async def aclose(self) -> None:
        await self._http.aclose()


def _wait(attempt: int, retry_after: str | None) -> float:
    asked = float(retry_after) if retry_after and retry_after.isdigit() else 0.0
    return min(MAX_WAIT_SECONDS, max(asked, random.uniform(0, 0.5 * 2**attempt)))
