"""Processes that do not outlive their purpose: the embedded worker dies with `reflector
serve` however serve dies, and one data directory has one scheduler.

On Linux the kernel signals the worker when its parent dies (`PR_SET_PDEATHSIG`); elsewhere,
and as a second line on Linux, the worker watches its parent and stops when it is gone. The
scheduler holds an exclusive `flock` on `<REFLECTOR_DATA_DIR>/scheduler.lock`, which the
kernel releases when the holder dies, even by `kill -9`.
"""

import ctypes
import fcntl
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import IO

from reflector.startup import StartupError

PARENT_ENV = "REFLECTOR_PARENT_PID"
_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 1.0


def die_with_parent() -> None:
    """For `preexec_fn`: on Linux, SIGTERM when the parent dies; already dead: stop now."""
    parent = os.getppid()
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def watch_parent() -> None:
    """If started by `reflector serve` (`REFLECTOR_PARENT_PID`), stop when it is gone."""
    expected = os.environ.get(PARENT_ENV)
    if not expected or not expected.isdigit():
        return

    def watch() -> None:
        while os.getppid() == int(expected):
            time.sleep(_WATCH_SECONDS)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def scheduler_lock(data_dir: Path) -> IO[str]:
    """The data directory's scheduler lock, held until the returned file is closed or the
    process dies; `StartupError` if another scheduler holds it."""
    path = data_dir / "scheduler.lock"
    held = path.open("a+")
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        held.seek(0)
        holder = held.read().strip() or "unknown"
        held.close()
        raise StartupError(
            f"REFLECTOR_DATA_DIR: another scheduler (pid {holder}) is running on {data_dir}; "
            "run one per deployment: stop it first, or start this process without one "
            "(`reflector worker` without --beat; EMBEDDED_WORKER=false for `reflector serve`)"
        ) from None
    held.seek(0)
    held.truncate()
    held.write(str(os.getpid()))
    held.flush()
    return held


def scheduler_free(data_dir: Path) -> None:
    """`StartupError` now if a scheduler already runs on the data directory."""
    scheduler_lock(data_dir).close()
