"""Background jobs: latency from commit to job start, and no-op jobs per second.

Embedded (SQLite database, SQLite broker) and production-shaped (PostgreSQL, Redis on a
throwaway port), each with one worker process of concurrency 2. The relay runs in this
process and is woken at commit, as it is in the API process.

    .venv/bin/python bench/jobs.py [--latency-jobs 100] [--throughput-jobs 1000]
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from reflector import jobs  # noqa: E402
from reflector.config.loading import Config  # noqa: E402
from reflector.config.settings import Settings  # noqa: E402
from reflector.db.migrate import upgrade  # noqa: E402
from reflector.infra.clock import utcnow  # noqa: E402
from reflector.runtime import Runtime  # noqa: E402
from reflector.video_platforms.mock import MockSettings  # noqa: E402
from reflector.video_platforms.registry import PLATFORMS  # noqa: E402
from reflector.worker.celery_app import make_celery  # noqa: E402
from reflector.worker.processes import make_relay  # noqa: E402
from tests.servers import free_port, temporary_postgres_database, wait_for_port  # noqa: E402
from tests.worker_jobs import JOBS_PLATFORM, RECORD  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def started_after(log: Path, labels: set[str], committed: float) -> dict[str, float]:
    """Seconds from commit to start, per label, of the runs the log shows."""
    found = {}
    for line in log.read_text().splitlines() if log.exists() else []:
        kind, label, *rest = line.split()
        if kind == "start" and label in labels:
            found[label] = float(rest[-1]) - committed
    return found


def measure(database_url: str, broker_url: str, directory: Path, args: argparse.Namespace) -> str:
    upgrade(database_url)
    settings = Settings(
        _env_file=None,
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        REFLECTOR_DATA_DIR=directory,
    )
    config = Config(settings=settings, platforms={"mock": MockSettings(_env_file=None)})
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "REFLECTOR_DATA_DIR": str(directory),
        "LOG_LEVEL": "WARNING",
        "OUTBOX_POLL_SECONDS": "5",
        "WORKER_CONCURRENCY": "2",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.worker_main"],
        cwd=directory,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        return asyncio.run(drive(config, directory / "runs.log", args))
    finally:
        worker.terminate()
        worker.wait(timeout=30)


async def drive(config: Config, log: Path, args: argparse.Namespace) -> str:
    runtime = Runtime.open(config, PLATFORMS, clock=utcnow)
    celery = make_celery(config, PLATFORMS)
    relay = make_relay(config, [*PLATFORMS, JOBS_PLATFORM], runtime.db, celery, utcnow)
    stop = asyncio.Event()
    relaying = asyncio.create_task(relay.run(stop, 5))

    async def run(labels: list[str]) -> dict[str, float]:
        async with runtime.db.write() as session:
            for label in labels:
                await jobs.enqueue(session, RECORD, {"path": str(log), "label": label}, utcnow())
        committed = time.time()
        async with asyncio.timeout(300):
            while True:
                started = await asyncio.to_thread(started_after, log, set(labels), committed)
                if len(started) == len(labels):
                    return started
                await asyncio.sleep(0.005)

    try:
        await run(["warmup"])
        latencies = [(await run([f"l{i}"]))[f"l{i}"] for i in range(args.latency_jobs)]
        batch = [f"t{i}" for i in range(args.throughput_jobs)]
        began = time.time()
        await run(batch)
        seconds = time.time() - began
    finally:
        stop.set()
        await relaying
        await runtime.aclose()
    return (
        f"commit to start p50 {percentile(latencies, 50) * 1000:6.1f} ms"
        f"  p99 {percentile(latencies, 99) * 1000:6.1f} ms"
        f"   no-op jobs {len(batch) / seconds:6.0f}/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-jobs", type=int, default=100)
    parser.add_argument("--throughput-jobs", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        embedded = Path(tmp) / "embedded"
        embedded.mkdir()
        sqlite = measure(
            f"sqlite:///{embedded}/db.sqlite3",
            f"sqlite:///{embedded}/broker.sqlite3",
            embedded,
            args,
        )
        scaled = Path(tmp) / "scaled"
        scaled.mkdir()
        port = free_port()
        redis = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--dir",
                str(scaled),
            ],
            stdout=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            with temporary_postgres_database("reflector_bench") as url:
                production = measure(url, f"redis://127.0.0.1:{port}/0", scaled, args)
        finally:
            redis.terminate()
            redis.wait(timeout=10)
    print("one worker process, concurrency 2")
    print(f"SQLite + SQLite broker   {sqlite}")
    print(f"PostgreSQL + Redis       {production}")


if __name__ == "__main__":
    main()
