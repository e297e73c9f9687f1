"""What the commands share: the configuration, and the process's services for a piece of
async work on a migrated database."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click

from reflector.config import startup
from reflector.config.loading import Config, ConfigError, load_config
from reflector.config.startup import StartupError
from reflector.jobs import JobContext
from reflector.runtime import Runtime
from reflector.video_platforms.registry import PLATFORMS

T = TypeVar("T")


def loaded_config() -> Config:
    try:
        return load_config(PLATFORMS)
    except ConfigError as exc:
        raise StartupError("; ".join(exc.problems) or str(exc)) from None


def with_runtime(work: Callable[[Runtime], Awaitable[T]]) -> T:
    loaded = loaded_config()
    startup.prepare_database(loaded)

    async def run() -> T:
        runtime = Runtime.open(loaded, PLATFORMS)
        try:
            return await work(runtime)
        finally:
            await runtime.aclose()

    return asyncio.run(run())


def log_as(loaded: Config) -> None:
    logging.basicConfig(
        level=loaded.settings.LOG_LEVEL, format="%(levelname)s %(name)s: %(message)s"
    )


def none_yet(what: str, how: str) -> None:
    """An empty list says so on standard error, so that standard output stays a clean list."""
    click.echo(f"no {what} yet (create one with {how})", err=True)


class Services:
    """What platform commands get as click's `obj` (`spec.CommandContext`)."""

    def run(self, work: Callable[[JobContext], Awaitable[T]]) -> T:
        return with_runtime(work)
