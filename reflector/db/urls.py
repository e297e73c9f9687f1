"""`DATABASE_URL` in its ordinary form, mapped onto the async drivers the service uses."""

from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}


def async_url(url: str) -> URL:
    """`postgresql://…` and `sqlite:///path` become their asyncpg/aiosqlite forms."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValueError(
            "not a database URL; use postgresql://user@host:5432/name or sqlite:///path/to/file"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        supported = ", ".join(f"{name}://" for name in _ASYNC_DRIVERS)
        raise ValueError(f"unsupported database {backend!r}; use one of {supported}")
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ValueError("SQLite needs a file path (sqlite:///path/to/file.sqlite3)")
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


def sqlite_path(url: URL) -> Path | None:
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None
