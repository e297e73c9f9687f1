"""The FastAPI app: core routers, each registered platform's router, error mapping."""

import asyncio
import gc
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.body_limit import RequestBodyLimitMiddleware

from reflector import __version__, web
from reflector.api import downloads, meetings, recordings, rooms, system, webhooks
from reflector.api.docs import serve_docs
from reflector.api.hosts import TrustedHosts, trusted_hosts
from reflector.api.status import answer_for
from reflector.api.too_large import JsonTooLarge
from reflector.config.limits import API_MAX_BODY
from reflector.config.loading import Config
from reflector.infra.clock import Clock, utcnow
from reflector.infra.errors import InvalidField, ServiceError
from reflector.infra.validation import message
from reflector.runtime import Runtime
from reflector.video_platforms.errors import PlatformError
from reflector.video_platforms.registry import PLATFORMS
from reflector.video_platforms.spec import PlatformSpec
from reflector.worker.celery_app import make_celery
from reflector.worker.processes import make_relay


def create_app(
    config: Config,
    *,
    specs: Sequence[PlatformSpec] = PLATFORMS,
    clock: Clock = utcnow,
    http_transport: httpx.AsyncBaseTransport | None = None,
    relay: bool = True,
) -> FastAPI:
    """The app serving `specs` (the registry's platforms unless a test adds a double).

    With `relay`, the process publishes the jobs its requests commit, as soon as they commit.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = Runtime.open(config, specs, clock=clock, http_transport=http_transport)
        app.state.runtime = runtime
        stop = asyncio.Event()
        relaying = None
        if relay:
            celery = make_celery(config, specs)
            outbox = make_relay(config, specs, runtime.db, celery, clock)
            relaying = asyncio.create_task(outbox.run(stop, config.settings.OUTBOX_POLL_SECONDS))
        # What start-up built lives as long as the process: keep the collector from walking it
        # again on every full collection (tens of milliseconds each, the latency tail).
        gc.freeze()
        try:
            yield
        finally:
            stop.set()
            if relaying is not None:
                await relaying
            await runtime.aclose()

    app = FastAPI(
        title="Reflector", version=__version__, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    # Platform webhooks first: routes are matched in order, and webhooks are the busiest.
    for spec in specs:
        app.include_router(webhooks.platform_router(spec))
        if spec.pages is not None:
            app.include_router(spec.pages)
    app.include_router(rooms.router)
    app.include_router(meetings.router)
    app.include_router(meetings.presence_router)
    app.include_router(recordings.router)
    app.include_router(downloads.router)
    app.include_router(system.router)
    serve_docs(app)
    web.install(app)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(PlatformError, _platform_error)
    # The body limit inside the JSON rewrite of its answer (the last added is outermost).
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=API_MAX_BODY)
    app.add_middleware(JsonTooLarge)
    if (hosts := trusted_hosts(config.settings)) is not None:
        app.add_middleware(TrustedHosts, hosts=hosts)
    return app


class _AsciiJSONResponse(JSONResponse):
    """Escapes everything, so that echoed input such as a lone surrogate cannot break it."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False).encode("ascii")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    # The input is left out: it may be huge, binary, or a secret the caller mistyped.
    assert isinstance(exc, RequestValidationError)
    detail = [
        {
            "loc": list(error["loc"]),
            "msg": message(error),
            "type": error["type"],
        }
        for error in exc.errors()
    ]
    return _AsciiJSONResponse({"detail": detail}, status_code=422)


async def _service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    status, headers = answer_for(exc)
    if isinstance(exc, InvalidField):
        detail = [{"loc": list(exc.location), "msg": exc.message, "type": "value_error"}]
        return JSONResponse({"detail": detail}, status_code=status)
    return JSONResponse({"detail": exc.message}, status_code=status, headers=headers)


async def _platform_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, PlatformError)
    status, headers = answer_for(exc)
    return JSONResponse({"detail": str(exc)}, status_code=status, headers=headers)
