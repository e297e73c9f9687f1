"""413 in JSON, like every other error of the API.

Starlette's body limit answers a body over `max_body_size` with a plain-text 413 of its
own, outside the exception handlers; this middleware rewrites that one answer.
"""

import json

from starlette.middleware.body_limit import MAX_BODY_SIZE_SCOPE_KEY
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class JsonTooLarge:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replaced = False

        async def sending(message: Message) -> None:
            nonlocal replaced
            if message["type"] == "http.response.start" and _plain_413(message):
                replaced = True
                await _send_json(scope, send)
            elif not replaced:
                await send(message)

        await self.app(scope, receive, sending)


def _plain_413(message: Message) -> bool:
    content_type: bytes = dict(message.get("headers", [])).get(b"content-type", b"")
    return bool(message["status"] == 413 and content_type.startswith(b"text/plain"))


async def _send_json(scope: Scope, send: Send) -> None:
    limit = scope.get(MAX_BODY_SIZE_SCOPE_KEY)
    detail = "the request body is too large"
    if isinstance(limit, int):
        detail += f": at most {limit} bytes are accepted here"
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
