"""Peak memory of the server while a large upload streams into storage.

Starts `reflector serve` (embedded storage, no worker), reads its resident memory when idle,
streams a multipart upload of `--mib` MiB (1 GiB by default) generated on the fly, and prints
the peak (VmHWM) above idle, from /proc.

    .venv/bin/python bench/upload_memory.py [--mib 1024]
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from tests.servers import free_port, wait_for_port  # noqa: E402

BOUNDARY = "reflector-bench-boundary"
CHUNK = os.urandom(1024 * 1024)


def memory(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def body(mib: int) -> Iterator[bytes]:
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    for _ in range(mib):
        yield CHUNK
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data:
        port = free_port()
        env = {
            **os.environ,
            "REFLECTOR_DATA_DIR": data,
            "AUTH_BACKEND": "none",
            "EMBEDDED_WORKER": "false",
            "LOG_LEVEL": "WARNING",
        }
        server = subprocess.Popen(
            [str(ROOT / ".venv/bin/reflector"), "serve", "--port", str(port)],
            cwd=data,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port, 60)
            api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600)
            api.post("/v1/rooms", json={"name": "bench"}).raise_for_status()
            meeting = api.post("/v1/rooms/bench/meeting").json()
            time.sleep(1)
            idle = memory(server.pid, "VmRSS")
            began = time.perf_counter()
            response = api.post(
                f"/v1/meetings/{meeting['id']}/recordings",
                content=body(args.mib),
                headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
            )
            seconds = time.perf_counter() - began
            response.raise_for_status()
            peak = memory(server.pid, "VmHWM")
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"upload of {args.mib} MiB in {seconds:.1f} s ({args.mib / seconds:.0f} MiB/s)")
    print(
        f"server memory: idle {idle / 2**20:.0f} MiB, peak {peak / 2**20:.0f} MiB, "
        f"peak above idle {(peak - idle) / 2**20:.1f} MiB"
    )


if __name__ == "__main__":
    main()
