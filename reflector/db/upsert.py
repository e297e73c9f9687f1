"""`INSERT … ON CONFLICT` in the dialect of the session's database.

Statements are built on the table (Core, not the ORM's bulk path) and take their rows as
executemany parameters. Statements on a hot path are built once per dialect (`built_once`):
building a large upsert and computing its cache key costs more than running it.
"""

import functools
from collections.abc import Callable
from typing import TypeVar, cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db.base import Base

Insert = postgresql.Insert | sqlite.Insert
T = TypeVar("T")


def dialect_of(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def insert_into(dialect: str, model: type[Base]) -> Insert:
    table = cast(Table, model.__table__)
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def insert(session: AsyncSession, model: type[Base]) -> Insert:
    return insert_into(dialect_of(session), model)


def built_once(build: Callable[[str], T]) -> Callable[[AsyncSession], T]:
    """`build(dialect)` run once per dialect; the result is asked for with a session."""
    cached = functools.cache(build)

    @functools.wraps(build)
    def for_session(session: AsyncSession) -> T:
        return cached(dialect_of(session))

    return for_session
