"""The web pages, served by the same application as the API: templates rendered here, and
the scripts and styles they use from this package (web/static)."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from reflector.web import account, room_admin, room_page, transcript_pages
from reflector.web.access import SignInRequired, to_sign_in, unknown_page
from reflector.web.render import STATIC_DIR


def install(app: FastAPI) -> None:
    for pages in (account.router, room_admin.router, room_page.router, transcript_pages.router):
        app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_exception_handler(SignInRequired, to_sign_in)
    app.add_exception_handler(StarletteHTTPException, unknown_page)
