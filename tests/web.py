"""Helpers for the web pages: signing in as a browser does, reading a page's CSRF token."""

import re
from typing import Any

from reflector.accounts import users
from reflector.runtime import Runtime

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def make_user(runtime: Runtime, name: str) -> None:
    await users.create(runtime.db, runtime.clock, name, PASSWORD)


async def sign_in(
    client: Any, name: str, password: str = PASSWORD, next_path: str | None = None
) -> Any:
    """Sign in with the form, asking to go on to `next_path`; the client keeps the cookie.
    Returns the POST's answer."""
    form = await client.get("/signin")
    data = {"name": name, "password": password, "csrf_token": csrf_of(form.text)}
    return await client.post("/signin", data=data | ({"next": next_path} if next_path else {}))


async def page_token(client: Any, path: str = "/rooms") -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return csrf_of(response.text)
