"""A worker process through errors: an ordinary error keeps its runtime (engine, pools), and
periodic tasks' errors are sorted and logged as jobs' are, never raised into Celery."""

import logging

import pytest

from reflector.jobs import PeriodicSpec, TransientJobError
from reflector.video_platforms.registry import PLATFORMS
from reflector.worker.celery_app import ProcessRuntime
from reflector.worker.execute import run_periodic


def test_an_ordinary_error_keeps_the_process_runtime(config):
    process = ProcessRuntime(config, PLATFORMS)

    async def which(runtime) -> int:
        return id(runtime)

    async def fails(runtime) -> None:
        raise TransientJobError("the platform is down")

    first = process.run(which)
    with pytest.raises(TransientJobError):
        process.run(fails)
    assert process.run(which) == first


async def test_a_periodic_tasks_error_is_classified_and_logged(runtime, caplog):
    async def outage(runtime) -> None:
        raise TransientJobError("the platform answered 503")

    async def bug(runtime) -> None:
        raise KeyError("oops")

    with caplog.at_level(logging.WARNING, logger="reflector.worker.execute"):
        await run_periodic(runtime, PeriodicSpec("platform.poll", 60, outage))
        await run_periodic(runtime, PeriodicSpec("platform.sweep", 60, bug))
    outage_log, bug_log = caplog.records
    assert (outage_log.levelname, outage_log.getMessage()) == (
        "WARNING",
        "periodic platform.poll failed (transient): TransientJobError: the platform answered 503",
    )
    assert bug_log.levelname == "ERROR"
    assert bug_log.getMessage() == "periodic platform.sweep failed unexpectedly"
    assert bug_log.exc_info is not None
