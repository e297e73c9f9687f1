"""What every command checks before it starts, each failure one line that names the setting
and says what to do (exit code 2, no traceback: `reflector --debug …` shows it)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

import click
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError

from reflector.config.loading import Config
from reflector.db import migrate as migrations
from reflector.db.urls import async_url, sqlite_path
from reflector.recordings.pipeline import engines


class StartupError(click.ClickException):
    exit_code = 2


def _refuse(message: str, cause: BaseException) -> NoReturn:
    """One line, or with `reflector --debug` the error itself, traceback and all."""
    context = click.get_current_context(silent=True)
    if context is not None and context.find_root().params.get("debug"):
        raise cause
    raise StartupError(message) from cause


def prepare_data_dir(config: Config) -> None:
    data_dir = config.settings.REFLECTOR_DATA_DIR
    try:
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        _refuse(
            f"REFLECTOR_DATA_DIR: cannot create {data_dir} ({exc.strerror}); "
            "point it at a directory this user may write",
            exc,
        )


def prepare_database(config: Config) -> None:
    """The data directory, the database's directory (only the data directory is created),
    and the database: it answers, and is migrated to the newest schema."""
    prepare_data_dir(config)
    url = config.settings.database_url
    path = sqlite_path(async_url(url))
    if path is not None and not path.parent.is_dir():
        raise StartupError(
            f"DATABASE_URL: the directory {path.parent} does not exist; create it, or leave "
            "DATABASE_URL unset to use REFLECTOR_DATA_DIR"
        )
    with database_errors():
        migrations.upgrade(url)


@contextmanager
def database_errors() -> Iterator[None]:
    """A database that cannot be reached or used, said in one line."""
    try:
        yield
    except (DBAPIError, InterfaceError, OperationalError, ArgumentError, OSError) as exc:
        _refuse(f"DATABASE_URL: cannot use the database: {_reason(exc)}", exc)


def _reason(exc: Exception) -> str:
    """The driver's own words, first line only, without SQLAlchemy's wrapping."""
    cause = getattr(exc, "orig", None) or exc
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return text.removeprefix("(sqlalchemy.dialects.postgresql.asyncpg.Error) ")[:300]


def prepare_transcription(config: Config) -> None:
    """For processes that transcribe: the chosen engine can work here (its model is on this
    machine, or can be downloaded on first use)."""
    try:
        engines.check(config.settings)
    except engines.EngineUnavailable as exc:
        _refuse(str(exc), exc)
