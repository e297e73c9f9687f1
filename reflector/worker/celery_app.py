"""The Celery app: broker, delivery guarantees, and every job and periodic task, registered
explicitly from the core's lists and each platform's `PlatformSpec`."""

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from celery import Celery
from celery.exceptions import SoftTimeLimitExceeded

from reflector.config.loading import Config
from reflector.jobs import DEFAULT_QUEUE, JobSpec, PeriodicSpec, retention
from reflector.recordings import starts as recording_starts
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.recordings.pipeline.summary.stage import SUMMARIZE_TRANSCRIPT
from reflector.rooms import lifecycle, reconcile, room_webhooks
from reflector.runtime import Runtime
from reflector.video_platforms.spec import PlatformSpec
from reflector.worker.broker import EMBEDDED_TRANSPORT
from reflector.worker.execute import run_job, run_periodic

logger = logging.getLogger(__name__)
CORE_JOBS: tuple[JobSpec, ...] = (
    lifecycle.DELETE_PLATFORM_ROOM,
    PROCESS_RECORDING,
    SUMMARIZE_TRANSCRIPT,
    room_webhooks.DELIVER,
    recording_starts.START_RECORDING,
)


def core_periodic(config: Config, specs: Sequence[PlatformSpec]) -> tuple[PeriodicSpec, ...]:
    every = config.settings.LIFECYCLE_INTERVAL_SECONDS
    return (
        PeriodicSpec("reflector.meeting_lifecycle", every, lifecycle.check_meetings),
        PeriodicSpec("reflector.remove_expired", 3600, retention.remove_expired),
        *reconcile.periodic(config, specs),
    )


def job_specs(specs: Sequence[PlatformSpec]) -> list[JobSpec]:
    return [*CORE_JOBS, *(job for spec in specs for job in spec.jobs)]


def queues(specs: Sequence[PlatformSpec]) -> list[str]:
    """Every queue a job is published to, the default first."""
    return list(dict.fromkeys([DEFAULT_QUEUE, *(job.queue for job in job_specs(specs))]))


def periodic_specs(config: Config, specs: Sequence[PlatformSpec]) -> list[PeriodicSpec]:
    """The core's periodic work, and that of every platform that is configured."""
    configured = [spec for spec in specs if not config.platforms[spec.slug].missing()]
    return [*core_periodic(config, specs), *(task for spec in configured for task in spec.periodic)]


def make_celery(config: Config, specs: Sequence[PlatformSpec]) -> Celery:
    settings = config.settings
    jobs = job_specs(specs)
    periodic = periodic_specs(config, specs)
    longest = max([job.time_limit for job in jobs] + [task.time_limit for task in periodic])
    app = Celery("reflector", broker=settings.broker_url, set_as_current=False)
    if settings.broker_is_embedded:
        app.conf.broker_transport = EMBEDDED_TRANSPORT
    app.conf.update(
        task_default_queue=DEFAULT_QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        # Delivery guarantees: acknowledge after the run,
        # requeue when the worker process is lost, hold one message per process.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_cancel_long_running_tasks_on_connection_loss=True,
        # How long a dead child's slot waits for a result; we keep none, so free it quickly.
        worker_lost_wait=1.0,
        broker_transport_options=_transport_options(config, longest),
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        worker_hijack_root_logger=False,
        beat_schedule={
            # A tick that was missed is replaced by the next one; never pile them up.
            task.name: {
                "task": task.name,
                "schedule": task.every_seconds,
                "options": {"expires": task.every_seconds},
            }
            for task in periodic
        },
        beat_schedule_filename=str(settings.REFLECTOR_DATA_DIR / "celerybeat-schedule"),
    )
    process = ProcessRuntime(config, specs)
    for job in jobs:
        _register_job(app, process, job)
    for task in periodic:
        _register_periodic(app, process, task)
    return app


def _transport_options(config: Config, longest_task: int) -> dict[str, Any]:
    if config.settings.broker_is_embedded:
        # How often an idle worker asks the database for work: a quarter second is as quick
        # as a person notices, at a quarter of the idle CPU of polling every 20 ms.
        return {"polling_interval": 0.25}
    # Redis redelivers an unacknowledged message after this; it must outlast any run.
    return {"visibility_timeout": 2 * longest_task + 60}


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class ProcessRuntime:
    """One event loop and one Runtime per worker process, made on first use (after the fork).

    Building them for every task would cost a new engine and new connections each time. If a
    run breaks the loop itself (say, a time limit fires inside it), the next task starts over.
    """

    def __init__(self, config: Config, specs: Sequence[PlatformSpec]) -> None:
        self._config = config
        self._specs = specs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runtime: Runtime | None = None

    def run(self, work: Callable[[Runtime], Awaitable[Any]]) -> Any:
        if self._loop is None or self._runtime is None:
            self._loop = asyncio.new_event_loop()
            self._runtime = Runtime.open(self._config, self._specs)
        try:
            return self._loop.run_until_complete(work(self._runtime))
        except BaseException as exc:
            # An ordinary error leaves the loop and the runtime as they were: keep them, or
            # an outage would rebuild engines and pools at every tick.
            if _breaks_the_loop(exc) or self._loop.is_running() or self._loop.is_closed():
                self._discard()
            raise

    def _discard(self) -> None:
        loop, runtime = self._loop, self._runtime
        self._loop = self._runtime = None
        if loop is not None and runtime is not None and not loop.is_running():
            try:
                loop.run_until_complete(runtime.aclose())
            finally:
                loop.close()


def _breaks_the_loop(exc: BaseException) -> bool:
    """Raised through the loop from outside it (a time limit, a signal): what it was doing
    was cut off anywhere, connections included."""
    return not isinstance(exc, Exception) or isinstance(exc, SoftTimeLimitExceeded)


def _register_job(app: Celery, process: ProcessRuntime, job: JobSpec) -> None:
    def task(job_id: str) -> None:
        owner = worker_id()
        process.run(lambda runtime: run_job(runtime, job, uuid.UUID(job_id), owner))

    app.task(
        shared=False,
        name=job.name,
        soft_time_limit=job.soft_time_limit,
        time_limit=job.time_limit,
    )(task)


def _register_periodic(app: Celery, process: ProcessRuntime, periodic: PeriodicSpec) -> None:
    def task() -> None:
        process.run(lambda runtime: run_periodic(runtime, periodic))

    app.task(
        shared=False,
        name=periodic.name,
        soft_time_limit=periodic.soft_time_limit,
        time_limit=periodic.time_limit,
    )(task)
