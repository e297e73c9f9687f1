"""Dependencies shared by core and platform routers."""

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from reflector.accounts import rate_limits, web_sessions
from reflector.accounts.auth import LOCAL_USER, Caller, authenticate
from reflector.api.browser import CSRF_HEADER, SAFE_METHODS, browser_session
from reflector.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="An API key from `reflector api-key create`")


async def get_runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_caller(
    request: Request,
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    """The caller by API key, or by the signed-in browser's cookie.

    A browser's state-changing request must also carry its page's CSRF token in a header,
    which another site's form or script cannot send.
    """
    if runtime.config.settings.AUTH_BACKEND == "none":
        # Anyone on this machine is the local user, but another site open in their browser
        # is not: it could still send requests here, and browsers say where they come from.
        if request.method not in SAFE_METHODS and _from_another_site(request):
            raise HTTPException(403, "refused: a request from another site's page")
        return Caller(user_id=LOCAL_USER)
    if credentials is not None:
        caller = await authenticate(runtime.db, credentials.credentials)
        if caller is None:
            raise HTTPException(401, "invalid or revoked API key", {"WWW-Authenticate": "Bearer"})
        return caller
    session = await browser_session(request, runtime)
    if session is None:
        raise HTTPException(
            401,
            "missing API key: send 'Authorization: Bearer <key>'",
            {"WWW-Authenticate": "Bearer"},
        )
    if request.method not in SAFE_METHODS and not web_sessions.csrf_matches(
        session, request.headers.get(CSRF_HEADER)
    ):
        raise HTTPException(
            403, f"missing or wrong {CSRF_HEADER} header: send the token of the signed-in page"
        )
    return Caller(user_id=session.user_id)


def _from_another_site(request: Request) -> bool:
    origin = request.headers.get("origin")
    return origin is not None and origin != f"{request.url.scheme}://{request.url.netloc}"


CallerDep = Annotated[Caller, Depends(get_caller)]


async def limit_link_requests(request: Request, runtime: RuntimeDep, caller: CallerDep) -> None:
    """Count a request for a join link or a meeting (S8); 429 with Retry-After beyond the limit.

    The address is the client's as uvicorn reports it: behind a proxy, list the proxy in
    FORWARDED_ALLOW_IPS so that X-Forwarded-For names the real client.
    """
    settings = runtime.config.settings
    limits = {
        f"user:{caller.user_id}": settings.LINK_RATE_LIMIT_PER_USER,
        f"address:{client_address(request)}": settings.LINK_RATE_LIMIT_PER_ADDRESS,
    }
    async with runtime.db.write() as session:
        await rate_limits.take(session, limits, runtime.clock())


LinkRateLimit = Depends(limit_link_requests)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
