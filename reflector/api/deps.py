"""Dependencies shared by core and platform routers."""

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from reflector import rate_limits
from reflector.auth import LOCAL_USER, Caller, authenticate
from reflector.runtime import Runtime

_bearer = HTTPBearer(auto_error=False, description="An API key from `reflector api-key create`")


async def get_runtime(request: Request) -> Runtime:
    return cast(Runtime, request.app.state.runtime)


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_caller(
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Caller:
    if runtime.config.settings.AUTH_BACKEND == "none":
        return Caller(user_id=LOCAL_USER)
    if credentials is None:
        raise HTTPException(
            401,
            "missing API key: send 'Authorization: Bearer <key>'",
            {"WWW-Authenticate": "Bearer"},
        )
    caller = await authenticate(runtime.db, credentials.credentials)
    if caller is None:
        raise HTTPException(401, "invalid or revoked API key", {"WWW-Authenticate": "Bearer"})
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


async def limit_link_requests(request: Request, runtime: RuntimeDep, caller: CallerDep) -> None:
    """Count a request for a join link or a meeting (S8); 429 with Retry-After beyond the limit.

    The address is the client's as uvicorn reports it: behind a proxy, list the proxy in
    FORWARDED_ALLOW_IPS so that X-Forwarded-For names the real client.
    """
    settings = runtime.config.settings
    address = request.client.host if request.client else "unknown"
    limits = {
        f"user:{caller.user_id}": settings.LINK_RATE_LIMIT_PER_USER,
        f"address:{address}": settings.LINK_RATE_LIMIT_PER_ADDRESS,
    }
    async with runtime.db.write() as session:
        await rate_limits.take(session, limits, runtime.clock())


LinkRateLimit = Depends(limit_link_requests)
