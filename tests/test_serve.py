"""`reflector serve` on the embedded default: API, worker and scheduler, and nothing else."""

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from reflector.infra.clock import utcnow
from tests.servers import alive, children_of, free_port, wait_for_port, wait_until
from tests.support import MOCK_API_KEY, MOCK_SECRET, mock_event, mock_signature
from tests.web import sign_in

pytestmark = pytest.mark.slow
JOB_DONE = 'reflector_jobs{error_class="",state="done",task="reflector.delete_platform_room"} 1.0'


def test_serve_runs_the_worker_and_scheduler_and_stops_them(tmp_path):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "REFLECTOR_DATA_DIR": str(tmp_path / "data"),
        "AUTH_BACKEND": "none",
        "MOCK_WEBHOOK_SECRET": MOCK_SECRET,
        "MEETING_EMPTY_GRACE_SECONDS": "1",
        "LIFECYCLE_INTERVAL_SECONDS": "0.5",
        "LOG_LEVEL": "WARNING",
    }
    reflector = str(Path(sys.executable).parent / "reflector")
    server = subprocess.Popen(
        [reflector, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("wb"),
    )
    try:
        wait_for_port(port)
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        # With nothing configured, rooms are on the public meet.jit.si, links without tokens.
        assert api.post("/v1/rooms", json={"name": "default"}).json()["platform"] == "jitsi"
        public = api.post("/v1/rooms/default/meeting").json()
        link = api.post(f"/v1/meetings/{public['id']}/join").json()["url"]
        assert link == f"https://meet.jit.si/{public['platform_room_name']}"
        room = {"name": "standup", "platform": "mock"}
        assert api.post("/v1/rooms", json=room).status_code == 201
        meeting = api.post("/v1/rooms/standup/meeting").json()
        for kind in ["participant.joined", "participant.left"]:
            body = mock_event(kind, meeting["platform_room_name"], at=utcnow())
            headers = {"X-Mock-Signature": mock_signature(body, int(time.time()))}
            assert api.post("/v1/mock/webhook", content=body, headers=headers).status_code == 200

        def ended() -> bool:
            return bool(api.get(f"/v1/meetings/{meeting['id']}").json()["state"] == "ended")

        assert wait_until(ended, 60), "the empty meeting ended by itself"
        assert api.get(f"/v1/meetings/{meeting['id']}").json()["end_reason"] == "empty"
        assert wait_until(lambda: JOB_DONE in api.get("/metrics").text, 30), "its room was deleted"
        workers = children_of(server.pid)
        assert workers, "serve started a worker"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    assert wait_until(lambda: not any(alive(pid) for pid in workers), 30), "the worker stopped too"


def test_serve_mints_mock_links_through_the_mock_platforms_api(tmp_path):
    """`reflector mock api` is the mock's vendor; `reflector serve` mints tokens there."""
    api_port, port = free_port(), free_port()
    env = {
        "PATH": os.environ["PATH"],
        "REFLECTOR_DATA_DIR": str(tmp_path / "data"),
        "AUTH_BACKEND": "none",
        "EMBEDDED_WORKER": "false",
        "MOCK_WEBHOOK_SECRET": MOCK_SECRET,
        "MOCK_API_URL": f"http://127.0.0.1:{api_port}",
        "MOCK_API_KEY": MOCK_API_KEY,
        "LOG_LEVEL": "WARNING",
    }
    reflector = str(Path(sys.executable).parent / "reflector")
    logs = (tmp_path / "serve.log").open("wb")
    vendor = subprocess.Popen(
        [reflector, "mock", "api", "--port", str(api_port)], cwd=tmp_path, env=env, stderr=logs
    )
    server = subprocess.Popen(
        [reflector, "serve", "--port", str(port)], cwd=tmp_path, env=env, stderr=logs
    )
    try:
        wait_for_port(api_port)
        wait_for_port(port)
        api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10)
        platform = httpx.Client(
            base_url=f"http://127.0.0.1:{api_port}",
            headers={"Authorization": f"Bearer {MOCK_API_KEY}"},
            timeout=10,
        )
        assert api.post("/v1/rooms", json={"name": "minted", "platform": "mock"}).status_code == 201
        meeting = api.post("/v1/rooms/minted/meeting").json()
        assert platform.get(f"/rooms/{meeting['platform_room_name']}").status_code == 200
        link = api.post(f"/v1/meetings/{meeting['id']}/join").json()["url"]
        assert link.startswith(f"{meeting['room_url']}?t=")
        claims = platform.get(f"/meeting-tokens/{link.split('?t=')[1]}").json()
        assert (claims["room_name"], claims["is_owner"]) == (meeting["platform_room_name"], True)
        assert (
            platform.get("/rooms/x", headers={"Authorization": "Bearer wrong"}).status_code == 401
        )
    finally:
        for process in (server, vendor):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def test_forwarded_addresses_are_believed_only_from_named_proxies(tmp_path):
    """Unset FORWARDED_ALLOW_IPS: X-Forwarded-For is anyone's to send, so it is ignored, and
    failed sign-ins from one peer are from one address, whatever they claim. (Three a minute
    here; ten attempts span at most two one-minute windows, so some must be refused.)"""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "REFLECTOR_DATA_DIR": str(tmp_path / "data"),
        "EMBEDDED_WORKER": "false",
        "SIGNIN_RATE_LIMIT_PER_ADDRESS": "3",
        "LOG_LEVEL": "WARNING",
    }
    reflector = str(Path(sys.executable).parent / "reflector")
    server = subprocess.Popen(
        [reflector, "serve", "--port", str(port)], cwd=tmp_path, env=env, stderr=subprocess.DEVNULL
    )
    try:
        wait_for_port(port)
        answers = asyncio.run(failed_sign_ins(f"http://127.0.0.1:{port}", 10))
        assert answers[:3] == [401] * 3
        assert answers.count(429) >= 4
    finally:
        server.terminate()
        server.wait(timeout=30)


async def failed_sign_ins(url: str, count: int) -> list[int]:
    """Sign-ins with wrong passwords, each claiming another forwarded address."""
    answers = []
    async with httpx.AsyncClient(base_url=url) as client:
        for n in range(count):
            client.headers["X-Forwarded-For"] = f"203.0.113.{n}"
            answers.append((await sign_in(client, f"nobody{n}", "a guess")).status_code)
    return answers


def test_serve_warns_of_a_broker_that_does_not_answer(tmp_path):
    port, nobody = free_port(), free_port()
    env = {
        "PATH": os.environ["PATH"],
        "REFLECTOR_DATA_DIR": str(tmp_path / "data"),
        "AUTH_BACKEND": "none",
        "CELERY_BROKER_URL": f"redis://:secret@127.0.0.1:{nobody}/0",
        "LOG_LEVEL": "WARNING",
    }
    reflector = str(Path(sys.executable).parent / "reflector")
    log = tmp_path / "serve.log"
    server = subprocess.Popen(
        [reflector, "serve", "--port", str(port)], cwd=tmp_path, env=env, stderr=log.open("wb")
    )
    try:
        wait_for_port(port)
        health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10).json()
        assert (health["status"], health["broker"]) == ("degraded", "unreachable")
    finally:
        server.terminate()
        server.wait(timeout=60)
    said = log.read_text()
    assert (
        f"Warning: CELERY_BROKER_URL: cannot reach the broker at redis://:**@127.0.0.1:{nobody}/0"
        in said
    )
    assert "secret" not in said
