"""Signing in and out, and one's API keys."""

import secrets
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from reflector.accounts import auth, rate_limits, users
from reflector.accounts.auth import LOCAL_USER
from reflector.accounts.rate_limits import RateLimited
from reflector.api.browser import browser_session, sign_in, sign_out
from reflector.api.deps import RuntimeDep, client_address
from reflector.infra.errors import NotFound
from reflector.runtime import Runtime
from reflector.web.access import CSRF_FIELD, SignedIn, Visitor, checked_form, local_path
from reflector.web.render import PageRoute, page

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Signing in has its own CSRF token, in a cookie and in the form, so that another site cannot
# sign a browser in to an account of its choosing.
SIGNIN_COOKIE = "reflector_signin"
KEY_NAME_MAX = 64


@router.get("/")
async def home(request: Request, runtime: RuntimeDep) -> RedirectResponse:
    signed_in = await browser_session(request, runtime) is not None
    return RedirectResponse("/rooms" if signed_in else "/signin", status_code=303)


@router.get("/signin")
async def signin_page(
    request: Request, runtime: RuntimeDep, next: str | None = None, signed_out: bool = False
) -> Response:
    goal = local_path(next)
    if await browser_session(request, runtime) is not None:
        return RedirectResponse(goal, status_code=303)
    if runtime.config.settings.AUTH_BACKEND == "none":
        # Loopback only (refused at start otherwise): whoever can reach it is the local user.
        response = RedirectResponse(goal, status_code=303)
        await sign_in(response, request, runtime, LOCAL_USER)
        return response
    return _signin_form(request, goal, notice="You are signed out." if signed_out else None)


def _signin_form(
    request: Request,
    goal: str,
    error: str | None = None,
    status: int = 200,
    name: str = "",
    notice: str | None = None,
) -> Response:
    """The form; after a failed attempt, with its reason and the name kept."""
    token = secrets.token_urlsafe(32)
    response = page(
        request,
        "signin.html",
        status,
        next=goal,
        csrf_token=token,
        error=error,
        name=name,
        notice=notice,
    )
    response.set_cookie(
        SIGNIN_COOKIE, token, max_age=3600, httponly=True, samesite="strict", path="/signin"
    )
    return response


@router.post("/signin")
async def signin(
    request: Request,
    runtime: RuntimeDep,
    name: Annotated[str, Form(max_length=200)] = "",
    password: Annotated[str, Form(max_length=users.PASSWORD_MAX_LENGTH)] = "",
    csrf_token: Annotated[str, Form(alias=CSRF_FIELD, max_length=100)] = "",
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    goal = local_path(next)
    name = name.strip().lower()
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    if not expected or not secrets.compare_digest(expected.encode(), csrf_token.encode()):
        return _signin_form(
            request, goal, "The sign-in form was out of date; try again.", 403, name
        )
    try:
        await _throttle(runtime, client_address(request), name)
    except RateLimited as exc:
        response = _signin_form(
            request, goal, f"Too many attempts; try again in {exc.retry_after} s.", 429, name
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    user = await users.verify(runtime.db, name, password)
    if user is None:
        async with runtime.db.write() as session:
            for key in _failure_keys(client_address(request), name):
                await rate_limits.record(session, key, runtime.clock())
        return _signin_form(request, goal, "Wrong name or password.", 401, name)
    response = RedirectResponse(goal, status_code=303)
    response.delete_cookie(SIGNIN_COOKIE, path="/signin")
    await sign_in(response, request, runtime, user.name)
    return response


async def _throttle(runtime: Runtime, address: str, name: str) -> None:
    """Every attempt counts against its address. Failures count against the name too, but
    only an address that has failed itself is held back by them: someone guessing bob's
    password from many addresses cannot lock bob out of his own, from his."""
    settings = runtime.config.settings
    now = runtime.clock()
    async with runtime.db.write() as session:
        await rate_limits.take(
            session, {f"signin-address:{address}": settings.SIGNIN_RATE_LIMIT_PER_ADDRESS}, now
        )
        limit = settings.SIGNIN_RATE_LIMIT_PER_USER
        by_name, from_here = _failure_keys(address, name)
        if (
            limit > 0
            and await rate_limits.counted(session, by_name, now) >= limit
            and await rate_limits.counted(session, from_here, now) > 0
        ):
            raise RateLimited("too many failed sign-ins", rate_limits.retry_after(now))


def _failure_keys(address: str, name: str) -> tuple[str, str]:
    return f"signin-failed-user:{name[:64]}", f"signin-failed-address:{address}"


@router.post("/signout")
async def signout(request: Request, runtime: RuntimeDep, visitor: SignedIn) -> Response:
    await checked_form(request, visitor)
    response = RedirectResponse("/signin?signed_out=1", status_code=303)
    await sign_out(response, request, runtime)
    return response


@router.get("/keys")
async def keys_page(request: Request, runtime: RuntimeDep, visitor: SignedIn) -> Response:
    return await _keys(request, runtime, visitor)


async def _keys(
    request: Request,
    runtime: Runtime,
    visitor: Visitor,
    new_key: str | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    keys = await auth.list_api_keys(runtime.db, visitor.caller.user_id)
    return page(
        request,
        "keys.html",
        status,
        visitor=visitor,
        keys=keys,
        new_key=new_key,
        error=error,
        # The one time a new key is shown: no referrer, no cache.
        carries_link=new_key is not None,
    )


@router.post("/keys")
async def create_key(request: Request, runtime: RuntimeDep, visitor: SignedIn) -> Response:
    form = await checked_form(request, visitor)
    name = str(form.get("name", "")).strip()
    if not 1 <= len(name) <= KEY_NAME_MAX:
        message = f"A key's name is 1 to {KEY_NAME_MAX} characters."
        return await _keys(request, runtime, visitor, error=message, status=422)
    try:
        key = await auth.create_api_key(runtime.db, runtime.clock, name, visitor.caller.user_id)
    except ValueError as exc:
        return await _keys(request, runtime, visitor, error=f"{exc}.", status=409)
    return await _keys(request, runtime, visitor, new_key=key, status=201)


@router.get("/keys/{key_id}/revoke")
async def revoke_key_page(
    key_id: uuid.UUID, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    keys = await auth.list_api_keys(runtime.db, visitor.caller.user_id)
    key = next((key for key in keys if key.id == key_id and key.revoked_at is None), None)
    if key is None:
        raise NotFound("you have no such key in use")
    return page(
        request,
        "confirm.html",
        visitor=visitor,
        title=f"Revoke the key {key.name}?",
        warning="Scripts that use it are refused from now on.",
        action=f"/keys/{key.id}/revoke",
        button="Revoke the key",
        back="/keys",
    )


@router.post("/keys/{key_id}/revoke")
async def revoke_key(
    key_id: str, request: Request, runtime: RuntimeDep, visitor: SignedIn
) -> Response:
    await checked_form(request, visitor)
    await auth.revoke_api_key(runtime.db, runtime.clock, key_id, visitor.caller.user_id)
    return RedirectResponse("/keys", status_code=303)
