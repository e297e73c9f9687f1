"""The async engine and the two kinds of transaction the service uses.

SQLite allows one writer at a time. Write transactions start with `BEGIN IMMEDIATE` so that
they take the write lock up front instead of failing on lock upgrade, and within one process
they queue on an asyncio lock rather than in SQLite's busy handler. Other processes (workers,
migrations) wait on `busy_timeout`.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from reflector.db.urls import async_url, sqlite_path

_WRITE = "reflector_write"
_JOBS_ENQUEUED = "reflector_jobs_enqueued"
# aiosqlite logs every statement with its parameters (secrets included) at DEBUG.
logging.getLogger("aiosqlite").setLevel(logging.INFO)
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=30000",
)


class Database:
    def __init__(self, url: str) -> None:
        parsed = async_url(url)
        path = sqlite_path(parsed)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_async_engine(parsed, pool_size=10, max_overflow=20)
        self.dialect = parsed.get_backend_name()
        self._write_lock: asyncio.Lock | None = None
        if self.dialect == "sqlite":
            self._write_lock = asyncio.Lock()
            event.listen(self.engine.sync_engine, "connect", _sqlite_connect)
            event.listen(self.engine.sync_engine, "begin", _sqlite_begin)
        # Set when a transaction that enqueued jobs commits: wakes this process's outbox relay.
        self.jobs_committed = asyncio.Event()
        self._read = async_sessionmaker(self.engine, expire_on_commit=False)
        self._write = async_sessionmaker(
            self.engine.execution_options(**{_WRITE: True}), expire_on_commit=False
        )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._read() as session, session.begin():
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        async with self._write_lock or nullcontext(), self._write() as session:
            async with session.begin():
                yield session
            if session.info.pop(_JOBS_ENQUEUED, False):
                self.jobs_committed.set()

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _sqlite_begin) instead of the driver.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    immediate = connection.get_execution_options().get(_WRITE, False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def note_jobs_enqueued(session: AsyncSession) -> None:
    """Mark the transaction as carrying jobs, so that its commit wakes the relay."""
    session.info[_JOBS_ENQUEUED] = True
