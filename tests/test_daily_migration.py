"""Moving rooms onto Daily with the seed's flags, through real `reflector serve` processes,
with Daily's fake API served over HTTP; and the webhook admin commands against it."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from reflector.cli import main
from tests.daily_fake import API_KEY, DailyFake, served
from tests.servers import free_port, wait_for_port
from tests.support import MOCK_SECRET, mock_event, mock_signature
from tests.test_platform_daily import WEBHOOK_SECRET

pytestmark = pytest.mark.slow


@pytest.fixture
def daily() -> Iterator[tuple[DailyFake, str]]:
    fake = DailyFake()
    with served(fake) as url:
        yield fake, url


def environment(tmp_path: Path, api_url: str, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ["PATH"],
        "REFLECTOR_DATA_DIR": str(tmp_path / "data"),
        "AUTH_BACKEND": "none",
        "EMBEDDED_WORKER": "false",
        "LOG_LEVEL": "WARNING",
        "MOCK_WEBHOOK_SECRET": MOCK_SECRET,
        "DAILY_API_KEY": API_KEY,
        "DAILY_API_URL": api_url,
        "DAILY_WEBHOOK_SECRET": WEBHOOK_SECRET,
        **extra,
    }


class Serving:
    def __init__(self, tmp_path: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        reflector = str(Path(sys.executable).parent / "reflector")
        self.process = subprocess.Popen(
            [reflector, "serve", "--port", str(self.port)],
            cwd=tmp_path,
            env=env,
            stderr=(tmp_path / f"serve-{self.port}.log").open("wb"),
        )
        wait_for_port(self.port)
        self.api = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=20)

    def stop(self) -> None:
        self.api.close()
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def mock_joined(api: httpx.Client, room: str, participant: str) -> str:
    body = mock_event("participant.joined", room, participant)
    headers = {"X-Mock-Signature": mock_signature(body, int(time.time()))}
    return str(api.post("/v1/mock/webhook", content=body, headers=headers).json()["status"])


def test_listed_rooms_move_to_daily_at_their_next_meeting(tmp_path, daily):
    fake, api_url = daily
    before = Serving(tmp_path, environment(tmp_path, api_url))
    try:
        moving = before.api.post("/v1/rooms", json={"name": "moving", "platform": "mock"}).json()
        before.api.post("/v1/rooms", json={"name": "staying", "platform": "mock"})
        old = before.api.post("/v1/rooms/moving/meeting").json()
        assert old["platform"] == "mock"
    finally:
        before.stop()

    flags = {"DAILY_MIGRATION_ENABLED": "true", "DAILY_MIGRATION_ROOM_IDS": moving["id"]}
    after = Serving(tmp_path, environment(tmp_path, api_url, **flags))
    try:
        api = after.api
        # The meeting in progress stays on its platform, whose events still arrive.
        assert api.post("/v1/rooms/moving/meeting").json()["id"] == old["id"]
        assert mock_joined(api, old["platform_room_name"], "p1") == "processed"
        assert api.get(f"/v1/meetings/{old['id']}").json()["num_clients"] == 1
        assert api.post(f"/v1/meetings/{old['id']}/end").json()["state"] == "ended"

        new = api.post("/v1/rooms/moving/meeting").json()
        assert new["platform"] == "daily"
        assert new["platform_room_name"] in fake.rooms
        link = api.post(f"/v1/meetings/{new['id']}/join").json()["url"]
        assert link.startswith(f"{new['room_url']}?t=")
        assert api.post("/v1/rooms/staying/meeting").json()["platform"] == "mock"

        # History stays under the room: the old meeting, and its recording.
        files = {"file": ("old.wav", b"RIFF\x24\x00\x00\x00WAVEfmt not-really-audio", "audio/wav")}
        recorded = api.post(f"/v1/meetings/{old['id']}/recordings", files=files)
        assert recorded.status_code == 201
        assert api.get(f"/v1/meetings/{old['id']}").json()["room_id"] == moving["id"]
        assert api.get(f"/v1/meetings/{new['id']}").json()["room_id"] == moving["id"]
        listed = api.get(f"/v1/meetings/{old['id']}/recordings").json()
        assert [recording["id"] for recording in listed] == [recorded.json()["id"]]
    finally:
        after.stop()


def test_webhook_commands(tmp_path, daily, monkeypatch):
    fake, api_url = daily
    for name, value in environment(tmp_path, api_url).items():
        monkeypatch.setenv(name, value)
    runner = CliRunner()
    empty = runner.invoke(main, ["daily", "webhook", "status"])
    assert empty.exit_code == 0, empty.output
    assert "no webhook" in empty.output

    url = "https://reflector.example.com/v1/daily/webhook"
    created = runner.invoke(main, ["daily", "webhook", "register", url])
    assert created.exit_code == 0, created.output
    [hook] = fake.webhooks
    assert (hook["url"], hook["hmac"]) == (url, WEBHOOK_SECRET)

    hook.update(state="FAILED", failedCount=3)
    status = runner.invoke(main, ["daily", "webhook", "status"])
    assert "state=FAILED  failedCount=3" in status.output
    reactivated = runner.invoke(main, ["daily", "webhook", "reactivate"])
    assert reactivated.exit_code == 0, reactivated.output
    assert hook["state"] == "ACTIVE"
    assert (
        "every webhook is active" in runner.invoke(main, ["daily", "webhook", "reactivate"]).output
    )
