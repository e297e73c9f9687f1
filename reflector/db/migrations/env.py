import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from reflector.db.base import Base, in_models
from reflector.db.urls import async_url

# An arbitrary, fixed advisory lock key: "reflector migrations".
LOCK_KEY = 0x7265666C6D6967


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=in_models,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Processes starting together queue here; the version is read after the lock,
            # so the ones that waited see the first one's work (reflector/db/migrate.py).
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        context.run_migrations()


async def _run_async(url: str) -> None:
    engine = create_async_engine(async_url(url), poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `reflector migrate`")
asyncio.run(_run_async(context.config.get_main_option("sqlalchemy.url") or ""))
