"""Who is looking at a page, and whether a form they send is really from our page."""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException as StarletteHTTPException

from reflector.accounts import web_sessions
from reflector.accounts.auth import Caller
from reflector.accounts.web_sessions import Session
from reflector.api.browser import browser_session
from reflector.api.deps import RuntimeDep, get_runtime
from reflector.infra.errors import Forbidden
from reflector.runtime import Runtime
from reflector.web.render import NO_SUCH_PAGE, error_page

CSRF_FIELD = "csrf_token"


class SignInRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


@dataclass(frozen=True)
class Visitor:
    session: Session

    @property
    def caller(self) -> Caller:
        return Caller(user_id=self.session.user_id)

    @property
    def csrf_token(self) -> str:
        return self.session.csrf_token


async def signed_in(request: Request, runtime: RuntimeDep) -> Visitor:
    visitor = await _visitor(request, runtime)
    if visitor is None:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(wanted)
    return visitor


async def _visitor(request: Request, runtime: Runtime) -> Visitor | None:
    session = await browser_session(request, runtime)
    if session is None:
        return None
    visitor = Visitor(session)
    # For the error page, should the page fail: it keeps the visitor's navigation.
    request.state.visitor = visitor
    return visitor


SignedIn = Annotated[Visitor, Depends(signed_in)]


async def checked_form(request: Request, visitor: Visitor) -> FormData:
    """The form, once its CSRF token is the visitor's: another site cannot know it."""
    form = await request.form()
    token = form.get(CSRF_FIELD)
    if not web_sessions.csrf_matches(visitor.session, token if isinstance(token, str) else None):
        raise Forbidden("this form is out of date: reload the page and send it again")
    return form


def local_path(wanted: str | None, default: str = "/rooms") -> str:
    """Only a path of this site to go on to after signing in, never another site."""
    if not wanted or not wanted.startswith("/") or wanted.startswith("//") or "\\" in wanted:
        return default
    return wanted


async def unknown_page(request: Request, exc: Exception) -> Response:
    """A browser's address that names no route gets a page saying so; the API stays JSON."""
    assert isinstance(exc, StarletteHTTPException)
    browsing = "text/html" in request.headers.get("accept", "")
    if exc.status_code != 404 or not browsing or request.url.path.startswith("/v1/"):
        return await http_exception_handler(request, exc)
    await _visitor(request, await get_runtime(request))
    return error_page(request, 404, NO_SUCH_PAGE)


async def to_sign_in(request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/signin?next={quote(exc.next_path, safe='/')}", status_code=303)
