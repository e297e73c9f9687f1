"""Alembic, driven from code: `reflector migrate`, `serve` and `worker` on start, the tests.

Any number of processes may start at once on an empty or outdated database: one migrates,
the others wait for it and then find nothing left to do, so none serves on an older schema.
On PostgreSQL the migration's transaction holds an advisory lock (`migrations/env.py`); on
SQLite the database file itself is locked for the whole upgrade.
"""

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config

from reflector.db.urls import async_url, sqlite_path

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    path = sqlite_path(async_url(url))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    with _one_at_a_time(url):
        command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    with _one_at_a_time(url):
        command.downgrade(alembic_config(url), revision)


@contextmanager
def _one_at_a_time(url: str) -> Iterator[None]:
    """On SQLite, an exclusive `flock` on the database file (creating it if need be); it
    does not interfere with SQLite's own byte-range locks."""
    path = sqlite_path(async_url(url))
    if path is None:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as database:
        fcntl.flock(database, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(database, fcntl.LOCK_UN)
