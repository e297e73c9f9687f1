"""Worker processes: Celery's worker (and scheduler) with an outbox relay beside it."""

import asyncio
import threading
import uuid
from collections.abc import Sequence
from datetime import timedelta

from celery import Celery, signals

from reflector.config.loading import Config
from reflector.db import Database
from reflector.infra.clock import Clock, utcnow
from reflector.video_platforms.spec import PlatformSpec
from reflector.worker.celery_app import job_specs, make_celery, queues
from reflector.worker.relay import Publish, Relay


def publisher(app: Celery, specs: Sequence[PlatformSpec]) -> Publish:
    queue_of = {job.name: job.queue for job in job_specs(specs)}

    def publish(task: str, job_id: uuid.UUID) -> None:
        app.send_task(
            task, args=[str(job_id)], task_id=str(job_id), queue=queue_of[task], retry=False
        )

    return publish


def make_relay(
    config: Config,
    specs: Sequence[PlatformSpec],
    db: Database,
    app: Celery,
    clock: Clock = utcnow,
) -> Relay:
    republish = timedelta(seconds=config.settings.JOB_REPUBLISH_SECONDS)
    give_up = {job.name: job.on_give_up for job in job_specs(specs) if job.on_give_up}
    return Relay(db, clock, publisher(app, specs), republish_after=republish, give_up=give_up)


class RelayThread:
    """The relay of a worker process, on its own event loop beside Celery's consumer."""

    def __init__(self, config: Config, specs: Sequence[PlatformSpec], app: Celery) -> None:
        self._config = config
        self._specs = specs
        self._app = app
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(),), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)

    async def _run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        db = Database(self._config.settings.database_url)
        try:
            relay = make_relay(self._config, self._specs, db, self._app)
            await relay.run(self._stop, self._config.settings.OUTBOX_POLL_SECONDS)
        finally:
            await db.dispose()


def run_worker(
    config: Config,
    specs: Sequence[PlatformSpec],
    *,
    beat: bool,
    concurrency: int,
    served: Sequence[str] | None = None,
) -> None:
    """A worker for the `served` queues (default: every queue)."""
    app = make_celery(config, specs)
    relay = RelayThread(config, specs, app)
    signals.worker_ready.connect(lambda **_: relay.start(), weak=False)
    signals.worker_shutdown.connect(lambda **_: relay.stop(), weak=False)
    argv = [
        "worker",
        f"--concurrency={concurrency}",
        f"--loglevel={config.settings.LOG_LEVEL}",
        f"--queues={','.join(served or queues(specs))}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if beat:
        argv.append("--beat")
    app.worker_main(argv)


def run_beat(config: Config, specs: Sequence[PlatformSpec]) -> None:
    make_celery(config, specs).start(["beat", f"--loglevel={config.settings.LOG_LEVEL}"])
