"""Processes that do not outlive their purpose: the embedded worker dies with `reflector
serve` however serve dies.

On Linux the kernel signals the worker when its parent dies (`PR_SET_PDEATHSIG`); elsewhere,
and as a second line on Linux, the worker watches its parent and stops when it is gone.
"""

import ctypes
import os
import signal
import sys
import threading
import time

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
