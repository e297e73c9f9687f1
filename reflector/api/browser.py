"""The browser's side of a web session: the cookie and the CSRF header."""

from datetime import timedelta

from fastapi import Request, Response

from reflector.accounts import web_sessions
from reflector.accounts.web_sessions import Session
from reflector.runtime import Runtime

SESSION_COOKIE = "reflector_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def browser_session(request: Request, runtime: Runtime) -> Session | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 128:
        return None
    return await web_sessions.find(runtime.db, runtime.clock, token)


async def sign_in(response: Response, request: Request, runtime: Runtime, user_id: str) -> None:
    max_age = runtime.config.settings.SESSION_MAX_AGE_SECONDS
    session = await web_sessions.start(
        runtime.db, runtime.clock, user_id, timedelta(seconds=max_age)
    )
    response.set_cookie(
        SESSION_COOKIE,
        session.token,
        max_age=max_age,
        path="/",
        secure=_over_https(request),
        httponly=True,
        samesite="lax",
    )


async def sign_out(response: Response, request: Request, runtime: Runtime) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await web_sessions.end(runtime.db, token)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_over_https(request), httponly=True, samesite="lax"
    )


def _over_https(request: Request) -> bool:
    # Behind a TLS proxy uvicorn reports https once the proxy is in FORWARDED_ALLOW_IPS.
    return request.url.scheme == "https"
