"""Which `Host` names the service answers to.

A page of another site can make a browser send requests here under a name of that site that
resolves to this server (DNS rebinding): its `Origin` then matches its `Host`, and a check of
one against the other passes. Refusing every `Host` but the service's own names closes that.
With `AUTH_BACKEND=none` (everyone is the local user) those are the loopback names and
`PUBLIC_URL`'s host; `TRUSTED_HOSTS` sets them in any mode.
"""

import json

from starlette.types import ASGIApp, Receive, Scope, Send

from reflector.config.settings import Settings

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})


def trusted_hosts(settings: Settings) -> frozenset[str] | None:
    """The host names to answer to; None for any."""
    named = {host.lower() for host in settings.TRUSTED_HOSTS}
    if settings.AUTH_BACKEND == "none":
        named |= LOOPBACK_NAMES
    if not named:
        return None
    if settings.PUBLIC_URL is not None and settings.PUBLIC_URL.host:
        named.add(settings.PUBLIC_URL.host.strip("[]").lower())
    return frozenset(named)


def host_name(header: str) -> str:
    """`[::1]:1250` → `::1`, `Example.com:80` → `example.com`."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:].partition("]")[0]
    return header.rpartition(":")[0] if header.count(":") == 1 else header


class TrustedHosts:
    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self._app = app
        self._hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
            if host_name(header) not in self._hosts:
                await self._refuse(scope, send, header)
                return
        await self._app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, header: str) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        detail = (
            f"this service does not answer to the host name {host_name(header)[:100]!r}; "
            "reach it by one of its own names (TRUSTED_HOSTS)"
        )
        body = json.dumps({"detail": detail}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 421,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
