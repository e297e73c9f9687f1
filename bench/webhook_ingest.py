"""Webhook ingestion throughput: the real server against a bare ASGI endpoint.

Runs `reflector serve` (uvicorn, one process) on SQLite and on PostgreSQL, drives
participant events at it over keep-alive connections (signed mock webhooks, Prosody's
event sync with its bearer token, or Daily's or Whereby's signed webhooks with the vendor's
API faked on loopback), then does the same against a bare ASGI app, a no-op FastAPI route and
the service's app with storage left out (bench/unstored.py: the request path alone) under the
same uvicorn, and prints events/s, the ratios, and p50/p99 latency.

    .venv/bin/python bench/webhook_ingest.py [--events 4000] [--concurrency 20]
        [--platform mock|jitsi|daily|whereby]

Loopback only; every phase is bounded in count and time.
"""

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
from loadgen import Result, drive, request  # noqa: E402

from tests import whereby_fake  # noqa: E402
from tests.daily_fake import API_KEY as DAILY_API_KEY  # noqa: E402
from tests.daily_fake import DailyFake, served  # noqa: E402
from tests.servers import free_port, temporary_postgres_database, wait_for_port  # noqa: E402

SECRET = "bench-mock-webhook-secret-0123456789abcdef"
JITSI_SECRET = "bench-jitsi-event-sync-bearer-0123456789"
DAILY_SECRET = base64.b64encode(b"bench-daily-webhook-key-01234567").decode()
WHEREBY_SECRET = "bench-whereby-webhook-secret-0123"


@contextmanager
def server(command: list[str], env: dict[str, str], port: int) -> Iterator[None]:
    """The server, its output in a file (a pipe nobody reads would stall it once full)."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            wait_for_port(port, 60)
            yield
        except BaseException:
            log.seek(0)
            sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
            raise
        finally:
            process.terminate()
            process.wait(timeout=20)


def sign(body: bytes, timestamp: int) -> str:
    digest = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def events(platform: str, room_name: str, count: int) -> list[bytes]:
    """Alternating joins and leaves of distinct participants, each a new event."""
    if platform == "jitsi":
        return prosody_events(room_name, count)
    if platform == "daily":
        return daily_events(room_name, count)
    if platform == "whereby":
        return whereby_events(room_name, count)
    now = int(time.time())
    raws = []
    for i in range(count):
        kind = "participant.joined" if i % 2 == 0 else "participant.left"
        body = json.dumps(
            {
                "id": f"bench-{uuid.uuid4()}",
                "type": kind,
                "created_at": "2026-11-25T12:00:00Z",
                "data": {"room_name": room_name, "participant_id": f"p{i // 2}", "user_name": "B"},
            }
        ).encode()
        raws.append(request("/v1/mock/webhook", body, {"X-Mock-Signature": sign(body, now)}))
    return raws


def prosody_events(room_name: str, count: int) -> list[bytes]:
    """What Prosody's event sync sends: occupant joined and left, with its static bearer."""
    raws = []
    for i in range(count):
        kind = "joined" if i % 2 == 0 else "left"
        occupant = {"occupant_jid": f"p{i // 2}@meet.jitsi/web", "joined_at": 1_780_000_000}
        if kind == "left":
            occupant["left_at"] = 1_780_000_060
        body = json.dumps(
            {
                "event_name": f"muc-occupant-{kind}",
                "room_name": room_name,
                "room_jid": f"{room_name}@muc.meet.jitsi",
                "is_breakout": False,
                "active_occupants_count": 1,
                "occupant": occupant | {"id": f"user-{i // 2}", "name": "B"},
            }
        ).encode()
        headers = {"Authorization": f"Bearer {JITSI_SECRET}", "Content-Type": "application/json"}
        raws.append(request(f"/v1/jitsi/events/occupant/{kind}", body, headers))
    return raws


def daily_events(room_name: str, count: int) -> list[bytes]:
    """Daily's participant webhooks, signed over "<timestamp>.<body>" (contracts/daily.md §6.3)."""
    raws = []
    key = base64.b64decode(DAILY_SECRET)
    for i in range(count):
        kind = "joined" if i % 2 == 0 else "left"
        payload = {"room": room_name, "session_id": f"s{i // 2}", "user_name": "B"}
        payload |= {"joined_at": time.time(), "user_id": f"u{i // 2}", "owner": False}
        if kind == "left":
            payload["duration"] = 60
        body = json.dumps(
            {
                "version": "1.0.0",
                "type": f"participant.{kind}",
                "id": f"bench-{uuid.uuid4()}",
                "payload": payload,
                "event_ts": time.time(),
            }
        ).encode()
        stamp = str(int(time.time()))
        signature = hmac.new(key, stamp.encode() + b"." + body, hashlib.sha256).digest()
        headers = {
            "X-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Webhook-Timestamp": stamp,
            "Content-Type": "application/json",
        }
        raws.append(request("/v1/daily/webhook", body, headers))
    return raws


def whereby_events(room_name: str, count: int) -> list[bytes]:
    """Whereby's client events, signed `t=<unix>,v1=<hex HMAC of "<t>.<body>">`."""
    raws = []
    for i in range(count):
        kind = "joined" if i % 2 == 0 else "left"
        body = json.dumps(
            {
                "id": uuid.uuid4().hex * 2,
                "apiVersion": "1.0",
                "createdAt": "2026-11-25T12:00:00Z",
                "type": f"room.client.{kind}",
                "data": {
                    "meetingId": "1",
                    "roomName": room_name,
                    "roleName": "visitor",
                    "displayName": "B",
                    "participantId": f"p{i // 2}",
                    "numClients": 1,
                },
            },
            separators=(",", ":"),
        ).encode()
        stamp = int(time.time())
        digest = hmac.new(WHEREBY_SECRET.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
        headers = {
            "Whereby-Signature": f"t={stamp},v1={digest.hexdigest()}",
            "Content-Type": "application/json",
        }
        raws.append(request("/v1/whereby", body, headers))
    return raws


def prepare(port: int, env: dict[str, str], platform: str) -> str:
    """A user, their API key, a room and its meeting; returns the meeting's platform room name."""
    user = f"bench-{uuid.uuid4().hex[:6]}"
    subprocess.run(
        [str(ROOT / ".venv/bin/reflector"), "users", "create", user, "--api-only"],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        check=True,
    )
    key = subprocess.run(
        [str(ROOT / ".venv/bin/reflector"), "api-key", "create", "--name", user],
        env={**os.environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    headers = {"Authorization": f"Bearer {key}"}
    base = f"http://127.0.0.1:{port}"
    room = f"bench-{uuid.uuid4().hex[:8]}"
    created = httpx.post(
        f"{base}/v1/rooms", json={"name": room, "platform": platform}, headers=headers
    )
    created.raise_for_status()
    meeting = httpx.post(f"{base}/v1/rooms/{room}/meeting", headers=headers)
    meeting.raise_for_status()
    return str(meeting.json()["platform_room_name"])


def measure(port: int, raws: list[bytes], concurrency: int) -> Result:
    warmup = max(1, len(raws) // 20)
    asyncio.run(drive(port, raws[:warmup], concurrency))
    return asyncio.run(drive(port, raws[warmup:], concurrency))


def reflector_env(database_url: str, data_dir: str, vendors: dict[str, str]) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REFLECTOR_DATA_DIR": data_dir,
        "MOCK_WEBHOOK_SECRET": SECRET,
        "JITSI_WEBHOOK_SECRET": JITSI_SECRET,
        "DAILY_API_KEY": DAILY_API_KEY,
        "DAILY_API_URL": vendors["daily"],
        "DAILY_WEBHOOK_SECRET": DAILY_SECRET,
        "WHEREBY_API_KEY": whereby_fake.API_KEY,
        "WHEREBY_API_URL": vendors["whereby"],
        "WHEREBY_WEBHOOK_SECRET": WHEREBY_SECRET,
        "LOG_LEVEL": "WARNING",
    }


def run_reflector(platform: str, env: dict[str, str], count: int, concurrency: int) -> Result:
    port = free_port()
    command = [str(ROOT / ".venv/bin/reflector"), "serve", "--port", str(port)]
    with server(command, env, port):
        room_name = prepare(port, env, platform)
        return measure(port, events(platform, room_name, count), concurrency)


def run_baseline(
    platform: str, app: str, count: int, concurrency: int, env: dict[str, str] | None = None
) -> Result:
    port = free_port()
    uvicorn = str(ROOT / ".venv/bin/uvicorn")
    command = [uvicorn, app, "--port", str(port), "--log-level", "warning"]
    with server(command, env or {}, port):
        return measure(port, events(platform, "bare", count), concurrency)


def report(label: str, result: Result, *baselines: Result) -> None:
    """Events/s, latency, and the rate as a share of each baseline's (bare ASGI, no-op route)."""
    bad = {s: n for s, n in result.statuses.items() if s != 200}
    ratio = (
        "  ratio " + " / ".join(f"{result.rate / b.rate:.2f}" for b in baselines)
        if baselines
        else ""
    )
    print(
        f"{label:<22} {result.rate:8.0f} events/s  p50 {result.percentile(50) * 1000:6.1f} ms"
        f"  p99 {result.percentile(99) * 1000:6.1f} ms{ratio}"
        + (f"  non-200: {bad}" if bad else "")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--platform", choices=["mock", "jitsi", "daily", "whereby"], default="mock")
    args = parser.parse_args()
    platform, count, concurrency = args.platform, args.events, args.concurrency

    bare = run_baseline(platform, "bench.bare_asgi:app", count, concurrency)
    framework = run_baseline(platform, "bench.bare_fastapi:app", count, concurrency)
    with (
        tempfile.TemporaryDirectory() as data_dir,
        served(DailyFake()) as daily_url,
        whereby_fake.served(whereby_fake.WherebyFake()) as whereby_url,
    ):
        vendors = {"daily": daily_url, "whereby": whereby_url}
        sqlite_env = reflector_env(f"sqlite:///{data_dir}/bench.sqlite3", data_dir, vendors)
        unstored = run_baseline(platform, "bench.unstored:app", count, concurrency, sqlite_env)
        sqlite = run_reflector(platform, sqlite_env, count, concurrency)
        with temporary_postgres_database("reflector_bench") as url:
            postgres_env = reflector_env(url, data_dir, vendors)
            postgres = run_reflector(platform, postgres_env, count, concurrency)
    print(f"{count} {platform} events, {concurrency} connections, uvicorn one process")
    print("ratios: of the bare ASGI endpoint / of the no-op route")
    report("bare ASGI endpoint", bare)
    report("FastAPI no-op route", framework, bare)
    report("reflector, unstored", unstored, bare, framework)
    report("reflector (SQLite)", sqlite, bare, framework)
    report("reflector (PostgreSQL)", postgres, bare, framework)


if __name__ == "__main__":
    main()
