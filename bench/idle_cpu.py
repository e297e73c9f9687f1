"""CPU an idle deployment uses: `reflector serve` with its embedded workers and scheduler.

Starts `reflector serve` on an empty data directory, lets it settle, then prints the CPU
time its processes used over a quiet interval, as a share of one core.

    .venv/bin/python bench/idle_cpu.py [--settle 25] [--seconds 20]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from tests.servers import free_port, wait_for_port  # noqa: E402


def cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    return {process.pid: sum(process.cpu_times()[:2]) for process in processes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=25.0)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "REFLECTOR_DATA_DIR": data, "LOG_LEVEL": "WARNING"}
        serve = subprocess.Popen(
            [str(ROOT / ".venv/bin/reflector"), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            time.sleep(args.settle)
            root = psutil.Process(serve.pid)
            processes = [root, *root.children(recursive=True)]
            before = cpu_seconds(processes)
            time.sleep(args.seconds)
            after = cpu_seconds(processes)
        finally:
            serve.terminate()
            serve.wait(60)
    used = sum(after[pid] - before[pid] for pid in before)
    print(f"{len(processes)} processes idle for {args.seconds:.0f} s")
    print(f"CPU: {used / args.seconds:.3f} of one core")


if __name__ == "__main__":
    main()
