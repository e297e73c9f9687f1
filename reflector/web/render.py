"""Rendering pages: the templates, and the headers every page is sent with."""

from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape

from reflector.api.status import answer_for
from reflector.infra.errors import ServiceError
from reflector.infra.validation import message
from reflector.recordings.pipeline import formats
from reflector.video_platforms.errors import PlatformError
from reflector.video_platforms.spec import EmbedSources

STATIC_DIR = Path(__file__).with_name("static")

_templates = Environment(
    loader=PackageLoader("reflector.web", "templates"),
    autoescape=select_autoescape(default=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


_templates.filters["when"] = _when
_templates.filters["day"] = lambda moment: moment.astimezone(UTC).strftime("%Y-%m-%d")
_templates.filters["clock"] = formats.position


# A page that loads nothing from outside this service.
ONLY_OURS = EmbedSources()


def page(
    request: Request,
    template: str,
    status_code: int = 200,
    *,
    sources: EmbedSources = ONLY_OURS,
    carries_link: bool = False,
    **context: Any,
) -> HTMLResponse:
    """The page, never cached (it is someone's); a page with a join link is not sent on as a
    referrer either, since the link may carry its holder's token."""
    html = _templates.get_template(template).render(request=request, **context)
    headers = {
        "Content-Security-Policy": _policy(sources),
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer" if carries_link else "same-origin",
        "X-Content-Type-Options": "nosniff",
    }
    return HTMLResponse(html, status_code=status_code, headers=headers)


def _policy(sources: EmbedSources) -> str:
    own, nothing = "'self'", "'none'"
    return "; ".join(
        [
            f"default-src {own}",
            " ".join(["script-src", own, *_folders(*sources.scripts)]),
            " ".join(["style-src", own, *sources.styles]),
            f"img-src {own} data:",
            " ".join(["connect-src", own, *sources.connections]),
            " ".join(["frame-src", *(sources.frames or [nothing])]),
            f"frame-ancestors {nothing}",
            f"form-action {own}",
            f"base-uri {nothing}",
            f"object-src {nothing}",
        ]
    )


def _folders(*scripts: str) -> tuple[str, ...]:
    """What the policy allows for each script: its folder, where what the script loads in
    turn also lives (a path ending in "/" matches everything under it)."""
    return tuple(dict.fromkeys(script.rsplit("/", 1)[0] + "/" for script in scripts))


NO_SUCH_PAGE = "there is no page at this address"
# The error page's heading, by status; others say "Something is wrong".
_ERROR_TITLES = {
    403: "Not allowed",
    404: "Not found",
    409: "That clashes with what is there",
    429: "Too many attempts",
}


def error_page(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> HTMLResponse:
    """What went wrong, in words, with the visitor's navigation if a page's check found one."""
    response = page(
        request,
        "error.html",
        status,
        title=_ERROR_TITLES.get(status, "Something is wrong"),
        message=_sentence(message),
        visitor=getattr(request.state, "visitor", None),
    )
    response.headers.update(headers or {})
    return response


def _sentence(message: str) -> str:
    """A service message ("room not found") as a sentence on a page ("Room not found.")."""
    sentence = message[:1].upper() + message[1:]
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


class PageRoute(APIRoute):
    """A page whose errors are pages too, in words, not JSON; a path that names nothing a
    page can show (a malformed id) is not found."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def handle_page(request: Request) -> Response:
            try:
                return await handle(request)
            except ServiceError as exc:
                status, headers = answer_for(exc)
                return error_page(request, status, exc.message, headers)
            except PlatformError as exc:
                status, headers = answer_for(exc)
                return error_page(request, status, f"The video platform: {exc}", headers)
            except RequestValidationError as exc:
                if any(tuple(error["loc"][:1]) == ("path",) for error in exc.errors()):
                    return error_page(request, 404, NO_SUCH_PAGE)
                problems = "; ".join(message(error) for error in exc.errors())
                return error_page(request, 400, problems)

        return handle_page
