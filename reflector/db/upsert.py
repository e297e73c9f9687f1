"""`INSERT … ON CONFLICT` in the dialect of the session's database.

Statements are built on the table (Core, not the ORM's bulk path) and take their rows as
executemany parameters, so each compiles once and is then served from the statement cache.
"""

from typing import cast

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db.tables import Base


def insert(session: AsyncSession, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    table = cast(Table, model.__table__)
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
