"""`reflector serve` leaves nothing behind however it dies, a port has one `serve`, and a
deployment's database has one scheduler: real processes, killed for real."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from reflector.config.startup import StartupError
from reflector.worker.scheduler_lock import scheduler_free
from tests.servers import (
    alive,
    children_of,
    free_port,
    temporary_postgres_database,
    wait_for_port,
    wait_until,
)

pytestmark = pytest.mark.slow
REFLECTOR = str(Path(sys.executable).parent / "reflector")


def environment(tmp_path: Path) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "REFLECTOR_DATA_DIR": str(tmp_path / "data"),
        "AUTH_BACKEND": "none",
        "LOG_LEVEL": "WARNING",
    }


def descendants(pid: int) -> set[int]:
    """Every process below `pid`."""
    found = set(children_of(pid))
    for child in list(found):
        found |= descendants(child)
    return found


def test_kill_9_of_serve_leaves_no_process_behind(tmp_path):
    port = free_port()
    serve = subprocess.Popen(
        [REFLECTOR, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("wb"),
    )
    wait_for_port(port)
    assert wait_until(lambda: len(descendants(serve.pid)) >= 2, 30), "no worker started"
    # A second serve on the port, even on another data directory, says who has it and
    # leaves that directory alone.
    other = environment(tmp_path / "other")
    second = subprocess.run(
        [REFLECTOR, "serve", "--port", str(port)],
        env=other,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 2
    assert f"Reflector is already running on 127.0.0.1:{port} (pid {serve.pid})" in second.stderr
    assert not (tmp_path / "other").exists()
    below = descendants(serve.pid)
    serve.send_signal(signal.SIGKILL)
    serve.wait()
    assert wait_until(lambda: not any(alive(pid) for pid in below), 60), [
        pid for pid in below if alive(pid)
    ]


def holder(database_url: str) -> str:
    """Who holds the deployment's scheduler lock, in the refusal's words ("" if nobody)."""
    try:
        scheduler_free(database_url)
    except StartupError as refusal:
        return refusal.message
    except FileNotFoundError:  # the scheduler has not made its data directory yet
        return ""
    return ""


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A deployment's database: the data directory's SQLite, or one PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'reflector.sqlite3'}"
        return
    with temporary_postgres_database("reflector_beat") as url:
        yield url


def test_a_second_scheduler_on_the_same_database_is_refused(tmp_path, shared):
    def env(directory: str) -> dict[str, str]:
        # Other data directories (and so other embedded brokers) on the same PostgreSQL
        # database are one deployment; on SQLite the data directory is the deployment.
        data = directory if shared.startswith("postgresql") else "data"
        return {**environment(tmp_path / data), "DATABASE_URL": shared}

    first = subprocess.Popen([REFLECTOR, "beat"], env=env("a"), stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: f"pid {first.pid}" in holder(shared), 30)
        second = subprocess.run(
            [REFLECTOR, "beat"], env=env("b"), capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 2
        assert f"another scheduler (pid {first.pid}" in second.stderr
        serve = subprocess.run(
            [REFLECTOR, "serve", "--port", str(free_port())],
            env=env("c"),
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert serve.returncode == 2
        assert "EMBEDDED_WORKER=false" in serve.stderr
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # The lock went with its holder: the next scheduler starts.
    third = subprocess.Popen([REFLECTOR, "beat"], env=env("b"), stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: f"pid {third.pid}" in holder(shared), 30)
    finally:
        third.terminate()
        third.wait(timeout=30)


def test_a_scheduler_whose_lock_another_took_stops(tmp_path):
    """The lock's connection is cut (a database restart, a proxy's idle timeout); another
    scheduler takes the lock meanwhile; the first finds it taken and stops."""
    with temporary_postgres_database("reflector_beat") as url:
        env = {**environment(tmp_path / "a"), "DATABASE_URL": url}
        first = subprocess.Popen([REFLECTOR, "beat"], env=env, stderr=subprocess.DEVNULL)
        second = None
        try:
            assert wait_until(lambda: f"pid {first.pid}" in holder(url), 30)
            asyncio.run(cut_connections(url, f"reflector scheduler pid {first.pid} %"))
            assert wait_until(lambda: holder(url) == "", 10)
            env = {**environment(tmp_path / "b"), "DATABASE_URL": url}
            second = subprocess.Popen([REFLECTOR, "beat"], env=env, stderr=subprocess.DEVNULL)
            assert wait_until(lambda: f"pid {second.pid}" in holder(url), 30)
            assert wait_until(lambda: first.poll() is not None, 40), "the first kept running"
            assert f"pid {second.pid}" in holder(url)
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.kill()
                    process.wait()


async def cut_connections(url: str, application_name: str) -> None:
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1",
            application_name,
        )
    finally:
        await connection.close()
