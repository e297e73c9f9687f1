"""How an error of the core or of a platform is answered over HTTP: as the API's JSON and
as a page alike."""

from reflector.accounts.rate_limits import RateLimited
from reflector.infra.errors import Conflict, Forbidden, InvalidField, NotFound, ServiceError
from reflector.video_platforms.errors import (
    PlatformError,
    PlatformNotConfigured,
    PlatformUnavailable,
)

_SERVICE_STATUS: dict[type[ServiceError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    InvalidField: 422,
}


def answer_for(exc: ServiceError | PlatformError) -> tuple[int, dict[str, str]]:
    """The status and the headers `exc` is answered with."""
    if isinstance(exc, RateLimited):
        return 429, {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, PlatformUnavailable):
        return 503, {"Retry-After": "30"}
    if isinstance(exc, PlatformNotConfigured):
        return 503, {}
    if isinstance(exc, PlatformError):
        return 502, {}
    return _SERVICE_STATUS[type(exc)], {}
