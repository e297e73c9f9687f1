"""Dependencies shared by core and platform routers."""

from typing import Annotated, cast

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

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
