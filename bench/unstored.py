"""The service's own app with an inbox that answers without storing: the request path alone.

Everything up to the inbox runs as in `reflector serve` (middleware, routing, verifying the
signature, translating the body); the inbox answers "processed" at once. Its rate is the most
any storage could leave the receiver, so the benchmark can say where the time goes.

    DATABASE_URL=... uvicorn bench.unstored:app
"""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from fastapi import FastAPI

from reflector.app import create_app
from reflector.config.loading import load_config
from reflector.db import EventStatus
from reflector.inbox.receiving import InboundEvent, Inbox, Receipt
from reflector.video_platforms.registry import PLATFORMS


class Unstored(Inbox):
    async def receive(self, event: InboundEvent) -> Receipt:
        return Receipt(event_id=uuid.uuid4(), status=EventStatus.PROCESSED)


app = create_app(load_config(PLATFORMS), relay=False)
_serving = app.router.lifespan_context


@asynccontextmanager
async def _unstored(app: FastAPI) -> AsyncIterator[None]:
    async with _serving(app):
        runtime = app.state.runtime
        app.state.runtime = replace(runtime, inbox=Unstored(runtime.db, runtime.clock))
        yield


app.router.lifespan_context = _unstored
