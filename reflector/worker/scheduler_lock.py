"""One scheduler per deployment, where the deployment is its database: processes on other
machines, or on other data directories of one machine, share the schedule when they share it.

On PostgreSQL the scheduler holds a session advisory lock on a connection of its own, which
the server releases when the holder's connection goes, also by `kill -9`; the connection's
`application_name` says who holds it. On SQLite it holds an exclusive `flock` on a file
beside the database, which the kernel releases when the holder dies.
"""

import asyncio
import fcntl
import logging
import os
import signal
import socket
import threading
from concurrent.futures import Future
from contextlib import AbstractContextManager, suppress
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from reflector.config import startup
from reflector.config.startup import StartupError
from reflector.db.urls import async_url, sqlite_path

logger = logging.getLogger(__name__)
# An arbitrary, fixed advisory lock key ("REFL"), apart from the migrations' key.
LOCK_KEY = 0x5245464C
_CHECK_SECONDS = 10.0
_TAKE = text("SELECT pg_try_advisory_lock(:key)")
_HOLDER = text(
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = :key AND l.granted"
)


def _refusal(holder: str) -> StartupError:
    return StartupError(
        f"another scheduler ({holder}) is running on this deployment's database; "
        "run one per deployment: stop it first, or start this process without one "
        "(`reflector worker` without --beat; EMBEDDED_WORKER=false for `reflector serve`)"
    )


class _FileLock(AbstractContextManager["_FileLock"]):
    def __init__(self, database: Path) -> None:
        self._file: IO[str] = database.with_name(database.name + ".scheduler-lock").open("a+")
        try:
            fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._file.seek(0)
            holder = self._file.read().strip() or "unknown"
            self._file.close()
            raise _refusal(f"pid {holder}") from None
        self._file.seek(0)
        self._file.truncate()
        self._file.write(str(os.getpid()))
        self._file.flush()

    def __exit__(self, *_: object) -> None:
        self._file.close()


class _AdvisoryLock(AbstractContextManager["_AdvisoryLock"]):
    """The lock's connection lives on an event loop in a thread of its own, and is checked
    every few seconds; a scheduler that lost its connection takes the lock again, and if
    another scheduler took it meanwhile, stops itself rather than run beside it."""

    def __init__(self, url: str) -> None:
        name = f"reflector scheduler pid {os.getpid()} on {socket.gethostname()}"[:63]
        self._engine: AsyncEngine = create_async_engine(
            async_url(url),
            poolclass=NullPool,
            connect_args={"server_settings": {"application_name": name}},
        )
        self._connection: AsyncConnection | None = None
        self._keeper: Future[None] | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        try:
            with startup.database_errors():
                holder = asyncio.run_coroutine_threadsafe(self._take(), self._loop).result()
        except BaseException:
            self._close()
            raise
        if holder is not None:
            self._close()
            raise _refusal(holder.removeprefix("reflector scheduler ") or "unknown")
        self._keeper = asyncio.run_coroutine_threadsafe(self._keep(), self._loop)

    async def _take(self) -> str | None:
        """None once the lock is ours, else who holds it."""
        connection = await self._engine.connect()
        connection = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if await connection.scalar(_TAKE, {"key": LOCK_KEY}):
            self._connection = connection
            return None
        holder = await connection.scalar(_HOLDER, {"key": LOCK_KEY})
        await connection.close()
        return str(holder or "unknown")

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(_CHECK_SECONDS)
            try:
                if self._connection is not None:
                    await self._connection.scalar(text("SELECT 1"))
                elif (holder := await self._take()) is not None:
                    logger.error("the scheduler lock is held by %s; stopping", holder)
                    os.kill(os.getpid(), signal.SIGTERM)
                    return
                else:
                    logger.warning("the scheduler lock is held again")
            except Exception as exc:  # any loss of the connection: take the lock again
                await self._lost(exc)

    async def _lost(self, exc: Exception) -> None:
        if self._connection is None:
            return  # still cannot reach the database; the next round tries again
        logger.warning("the scheduler lock's connection was lost: %s", exc)
        with suppress(Exception):
            await self._connection.invalidate()
        self._connection = None

    def _close(self) -> None:
        if self._keeper is not None:
            self._keeper.cancel()

        async def close() -> None:
            if self._connection is not None:
                await self._connection.close()
            await self._engine.dispose()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __exit__(self, *_: object) -> None:
        self._close()


def scheduler_lock(database_url: str) -> AbstractContextManager[object]:
    """The deployment's scheduler lock, held until the block ends or the process dies;
    `StartupError` naming the holder if another scheduler holds it."""
    path = sqlite_path(async_url(database_url))
    return _FileLock(path) if path is not None else _AdvisoryLock(database_url)


def scheduler_free(database_url: str) -> None:
    """`StartupError` now if a scheduler already runs on the deployment's database."""
    with scheduler_lock(database_url):
        pass
