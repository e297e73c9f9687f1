"""Who is looking at a page, and whether a form they send is really from our page."""

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from reflector import web_sessions
from reflector.api.browser import browser_session
from reflector.api.deps import RuntimeDep
from reflector.auth import Caller
from reflector.errors import Forbidden
from reflector.web_sessions import Session

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
    session = await browser_session(request, runtime)
    if session is None:
        wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise SignInRequired(wanted)
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


async def to_sign_in(request: Request, exc: Exception) -> RedirectResponse:
    assert isinstance(exc, SignInRequired)
    return RedirectResponse(f"/signin?next={quote(exc.next_path, safe='/')}", status_code=303)
