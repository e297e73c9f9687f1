"""The listening socket of `reflector serve`, taken before anything else starts, so a second
`serve` on the same port says who has it instead of migrating a database and then failing."""

import errno
import socket
from pathlib import Path

import psutil

from reflector.config.startup import StartupError

_ANY = {"0.0.0.0", "::"}  # noqa: S104 (addresses compared, not bound)


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to `host:port` and listening; `StartupError` naming the holder if the
    port is taken. Connections that arrive while the service starts wait in the backlog."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, proto)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(address)
        listener.listen(2048)
    except OSError as exc:
        listener.close()
        if exc.errno == errno.EADDRINUSE:
            raise StartupError(_taken(host, port)) from None
        reason = exc.strerror or type(exc).__name__
        raise StartupError(f"--host/--port: cannot listen on {host}:{port}: {reason}") from None
    return listener


def _taken(host: str, port: int) -> str:
    holder = _holder(host, port)
    if holder is None:
        return f"{host}:{port} is in use by another program; stop it or pass --port"
    if _is_reflector(holder):
        return (
            f"Reflector is already running on {host}:{port} (pid {holder.pid}): open "
            f"http://{host}:{port}, stop it first, or pass --port for a second one"
        )
    return f"{host}:{port} is in use by pid {holder.pid} ({holder.name()}); stop it or pass --port"


def _holder(host: str, port: int) -> psutil.Process | None:
    """The process listening on the port, where this user may see it."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except psutil.Error:
        return None
    for connection in connections:
        if connection.status != psutil.CONN_LISTEN or connection.pid is None:
            continue
        ip, bound = connection.laddr or ("", 0)
        if bound == port and (ip == host or ip in _ANY or host in _ANY):
            try:
                return psutil.Process(connection.pid)
            except psutil.Error:
                return None
    return None


def _is_reflector(process: psutil.Process) -> bool:
    """`reflector serve`, or `python -m reflector serve`."""
    try:
        command = process.cmdline()
    except psutil.Error:
        return False
    return any(Path(argument).name == "reflector" for argument in command[:3])
