"""Migrations: upgrade from empty, downgrade, upgrade again; the schema matches the models."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from reflector.db import Base
from reflector.db.base import in_models
from reflector.db.migrate import downgrade, upgrade
from reflector.db.urls import async_url
from tests.servers import temporary_postgres_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    else:
        with temporary_postgres_database("reflector_migrate") as url:
            yield url


def inspect_database(url: str) -> tuple[set[str], list[object]]:
    async def run() -> tuple[set[str], list[object]]:
        engine = create_async_engine(async_url(url))
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
            diff = await connection.run_sync(
                lambda c: compare_metadata(
                    MigrationContext.configure(c, opts={"include_name": in_models}), Base.metadata
                )
            )
        await engine.dispose()
        return tables, diff

    return asyncio.run(run())


def test_upgrade_downgrade_upgrade(empty_database):
    upgrade(empty_database)
    tables, diff = inspect_database(empty_database)
    assert set(Base.metadata.tables) <= tables
    assert diff == [], "the models and the migrations disagree"

    downgrade(empty_database, "base")
    tables, _ = inspect_database(empty_database)
    assert tables <= {"alembic_version"}

    upgrade(empty_database)
    tables, diff = inspect_database(empty_database)
    assert set(Base.metadata.tables) <= tables
    assert diff == []


def test_processes_starting_together_migrate_once(empty_database, tmp_path):
    """Six processes on an empty database at once: one migrates, the others wait, none fails."""
    reflector = str(Path(sys.executable).parent / "reflector")
    env = {**os.environ, "DATABASE_URL": empty_database, "REFLECTOR_DATA_DIR": str(tmp_path)}
    starting = [
        subprocess.Popen(
            [reflector, "migrate"], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    outcomes = [(process.wait(timeout=120), process.stderr.read()) for process in starting]
    assert [code for code, _ in outcomes] == [0] * 6, [err for code, err in outcomes if code]
    tables, diff = inspect_database(empty_database)
    assert set(Base.metadata.tables) <= tables
    assert diff == []
