"""Running the service: `serve` (the API and pages, with embedded workers), `worker`,
`beat` and `migrate`."""

import ipaddress
import os
import signal
import socket
import subprocess
import sys
from contextlib import nullcontext

import click
import uvicorn

from reflector.app import create_app
from reflector.commands.services import loaded_config, log_as
from reflector.config import startup
from reflector.config.loading import Config
from reflector.config.startup import StartupError
from reflector.db import migrate as migrations
from reflector.infra.listen import listen
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.video_platforms.registry import PLATFORMS
from reflector.worker import broker, lifelines
from reflector.worker.celery_app import queues
from reflector.worker.processes import run_beat, run_worker
from reflector.worker.scheduler_lock import scheduler_free, scheduler_lock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command()
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (with AUTH_BACKEND=none, a loopback address only).",
)
@click.option(
    "--port",
    default=1250,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port to listen on.",
)
def serve(host: str, port: int) -> None:
    """Migrate the database, then serve the API and the web pages."""
    config = loaded_config()
    if config.settings.AUTH_BACKEND == "none" and not _is_loopback(host):
        raise StartupError(
            f"AUTH_BACKEND=none serves without authentication; refusing to bind {host}. "
            "Bind a loopback address or use AUTH_BACKEND=apikey."
        )
    log_as(config)
    # The port first, before a database is touched; closed however start-up ends.
    with listen(host, port) as listener:
        _serve_on(listener, config, host, port)


def _serve_on(listener: socket.socket, config: Config, host: str, port: int) -> None:
    startup.prepare_database(config)
    if (reason := broker.unreachable(config.settings)) is not None:
        click.echo(
            f"Warning: CELERY_BROKER_URL: {reason}. Serving anyway: jobs (recordings, "
            "webhooks) wait in the outbox until the broker answers; /health says degraded.",
            err=True,
        )
    workers: list[subprocess.Popen[bytes]] = []
    if config.settings.embedded_worker:
        startup.prepare_transcription(config)
        scheduler_free(config.settings.database_url)
        workers = _start_embedded_workers()
    # uvicorn re-raises SIGTERM once it has shut down; exiting normally stops the workers too.
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        proxies = config.settings.FORWARDED_ALLOW_IPS.strip()
        server = uvicorn.Config(
            create_app(config),
            host=host,
            port=port,
            log_level=config.settings.LOG_LEVEL.lower(),
            # Forwarded addresses only from the proxies named: anyone can send the header.
            proxy_headers=bool(proxies),
            forwarded_allow_ips=proxies or None,
        )
        uvicorn.Server(server).run(sockets=[listener])
    finally:
        for worker in workers:
            _stop(worker)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _start_embedded_workers() -> list[subprocess.Popen[bytes]]:
    """Children in their own process groups that die with us: a worker with the scheduler
    for the quick jobs, and one for transcription, which takes every core for one job."""
    quick = [q for q in queues(PLATFORMS) if q != PROCESS_RECORDING.queue]
    return [
        _child(["worker", "--beat", "--queues", ",".join(quick)]),
        _child(["worker", "--queues", PROCESS_RECORDING.queue, "--concurrency", "1"]),
    ]


def _child(arguments: list[str]) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "reflector", *arguments]
    env = {**os.environ, lifelines.PARENT_ENV: str(os.getpid())}
    return subprocess.Popen(  # noqa: S603 (our own argv)
        command, start_new_session=True, env=env, preexec_fn=lifelines.die_with_parent
    )


def _stop(child: subprocess.Popen[bytes]) -> None:
    child.terminate()  # Celery's warm shutdown: running jobs finish, the pool stops
    try:
        child.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


@click.command()
@click.option("--beat", is_flag=True, help="Also run the periodic scheduler (one per deployment).")
@click.option(
    "--concurrency", type=click.IntRange(1, 64), help="Processes (default: WORKER_CONCURRENCY)."
)
@click.option(
    "--queues",
    "served",
    help=f"Comma-separated queues to serve (default: all, {','.join(queues(PLATFORMS))}).",
)
def worker(beat: bool, concurrency: int | None, served: str | None) -> None:
    """Run a worker: background jobs from the broker, and the outbox relay."""
    config = loaded_config()
    chosen = _queues(served)
    log_as(config)
    startup.prepare_database(config)
    if PROCESS_RECORDING.queue in chosen:
        startup.prepare_transcription(config)
    lifelines.watch_parent()
    with scheduler_lock(config.settings.database_url) if beat else nullcontext():
        run_worker(
            config,
            PLATFORMS,
            beat=beat,
            concurrency=concurrency or config.settings.WORKER_CONCURRENCY,
            served=chosen,
        )


def _queues(served: str | None) -> list[str]:
    known = queues(PLATFORMS)
    if served is None:
        return known
    chosen = [name.strip() for name in served.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in known]
    if unknown or not chosen:
        raise click.BadParameter(
            f"unknown queue {', '.join(unknown) or '(none given)'}; known: {', '.join(known)}",
            param_hint="--queues",
        )
    return chosen


@click.command()
def beat() -> None:
    """Run the periodic scheduler alone (exactly one per deployment)."""
    config = loaded_config()
    log_as(config)
    startup.prepare_database(config)
    with scheduler_lock(config.settings.database_url):
        run_beat(config, PLATFORMS)


@click.command()
@click.argument("revision", default="head")
@click.option("--down", is_flag=True, help="Downgrade to REVISION instead of upgrading.")
def migrate(revision: str, down: bool) -> None:
    """Bring the database schema to REVISION (default: the newest)."""
    config = loaded_config()
    startup.prepare_data_dir(config)
    url = config.settings.database_url
    with startup.database_errors():
        if down:
            migrations.downgrade(url, revision)
        else:
            migrations.upgrade(url, revision)
