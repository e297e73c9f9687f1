"""Jibri recordings: contrib/jitsi/finalize.sh runs for real against a running server."""

import asyncio
import hashlib
import json
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from reflector.config.loading import Config
from reflector.db import Job, Recording
from reflector.infra.clock import utcnow
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.video_platforms.jitsi import SIGNATURE_HEADER
from reflector.video_platforms.jitsi.tasks import IMPORT_RECORDING
from tests.jitsi import (
    WEBHOOK_SECRET,
    fixture,
    jibri_signature,
    jitsi_config,
    jitsi_settings,
)
from tests.media import SENTENCE, word_share
from tests.servers import free_port
from tests.support import mock_signature, new_meeting, run_queued

FINALIZE = Path(__file__).resolve().parents[1] / "contrib" / "jitsi" / "finalize.sh"
SESSION = "b71e4f2c-95a8-4d3e-8f06-2c9d1a7e5b34"
ROOM_INSTANCE = "8d2c6f0a-3b7e-4e51-9a1d-5c4f7b2e9a63"
MIN_WORD_SHARE = 0.18


@pytest.fixture
def clock():
    return utcnow  # finalize.sh signs with the real time


@pytest.fixture
def recordings_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "jibri-recordings"
    directory.mkdir()
    return directory


@pytest.fixture
def config(settings, recordings_dir) -> Config:
    return jitsi_config(settings, jitsi_settings(recordings_dir=recordings_dir))


@pytest.fixture
async def server_url(app) -> AsyncIterator[str]:
    """The app served over real HTTP on loopback, in this test's event loop."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):  # uvicorn offers a flag, not an event, for "listening"
        if server.started:
            break
        await asyncio.sleep(0.02)
    assert server.started, "the server did not start within 10 s"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task


def jibri_session(
    root: Path, room: str, video: Path, metadata: dict | None, name: str = SESSION
) -> Path:
    """A session directory as Jibri leaves it: `<room>_<local time>.mp4` and metadata.json."""
    directory = root / name
    directory.mkdir()
    shutil.copyfile(video, directory / f"{room}_2026-03-02-10-02-08.mp4")
    if metadata is not None:
        (directory / "metadata.json").write_text(json.dumps(metadata))
    return directory


def metadata_for(room: str, meeting_id: str | None = None, name: str = "jibri_metadata") -> dict:
    metadata = json.loads(fixture(name, room))
    if meeting_id is None:
        metadata.pop("reflector_meeting_id", None)
    else:
        metadata["reflector_meeting_id"] = meeting_id
    return metadata


async def finalize(directory: Path, api_url: str, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        "sh",
        str(FINALIZE),
        str(directory),
        env={
            "PATH": os.environ["PATH"],
            "REFLECTOR_API_URL": api_url,
            "JITSI_WEBHOOK_SECRET": WEBHOOK_SECRET,
            **env,
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, output.decode()


async def recordings_of(client, alice, meeting_id: str) -> list[dict]:
    response = await client.get(f"/v1/meetings/{meeting_id}/recordings", headers=alice)
    assert response.status_code == 200, response.text
    return response.json()


async def stored_files(runtime) -> list[Path]:
    root = runtime.config.settings.REFLECTOR_DATA_DIR / "storage"
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.mark.slow
async def test_finalize_uploads_the_recording_and_it_becomes_a_transcript(
    client, alice, runtime, server_url, recordings_dir, spoken_video
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    # The IFrame API's extraMetadata names our meeting; it wins over the room in the URL.
    metadata = metadata_for("another-room", meeting["id"])
    # Jibri saw one participant: the one track is theirs.
    metadata["participants"] = metadata["participants"][:1]
    directory = jibri_session(recordings_dir, room, spoken_video, metadata)

    code, output = await finalize(directory, server_url)
    assert code == 0, output
    [recording] = await recordings_of(client, alice, meeting["id"])
    assert recording["sha256"] == hashlib.sha256(spoken_video.read_bytes()).hexdigest()
    assert recording["size"] == spoken_video.stat().st_size
    assert recording["platform"] == "jitsi"
    assert recording["platform_recording_id"] == SESSION
    assert recording["provider_data"] == {
        "jibri_session_id": SESSION,
        "room_instance_id": ROOM_INSTANCE,
        "participants": ["Ada Lovelace"],
    }

    assert await run_queued(runtime, PROCESS_RECORDING) == ["done"]
    done = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    transcript = (
        await client.get(f"/v1/transcripts/{done['transcript_id']}", headers=alice)
    ).json()
    text = " ".join(segment["text"] for segment in transcript["segments"])
    assert word_share(SENTENCE, text) >= MIN_WORD_SHARE, text
    assert {segment["speaker"] for segment in transcript["segments"]} == {"Ada Lovelace"}

    # Jibri's script may run again (a retry after a lost answer): still one recording.
    code, output = await finalize(directory, server_url)
    assert (code, "HTTP 200" in output) == (0, True), output
    assert len(await recordings_of(client, alice, meeting["id"])) == 1
    assert sorted(path.name for path in await stored_files(runtime)) == [
        "audio-0.wav",
        "track-0.bin",
    ]


async def test_a_bare_jibri_setup_is_linked_by_its_room(
    client, alice, server_url, recordings_dir, tmp_path
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    video = tmp_path / "tiny.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(4096))
    directory = jibri_session(
        recordings_dir, room, video, metadata_for(room, name="jibri_metadata_minimal")
    )
    code, output = await finalize(directory, server_url)
    assert code == 0, output
    [recording] = await recordings_of(client, alice, meeting["id"])
    assert recording["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert recording["provider_data"]["room_instance_id"] is None


async def test_shared_volume_mode_imports_from_the_recordings_directory(
    client, alice, runtime, server_url, recordings_dir, tmp_path
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    video = tmp_path / "tiny.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(8192))
    directory = jibri_session(recordings_dir, room, video, metadata_for(room))
    code, output = await finalize(directory, server_url, REFLECTOR_SHARED_VOLUME="1")
    assert (code, "HTTP 202" in output) == (0, True), output
    assert await recordings_of(client, alice, meeting["id"]) == []
    assert await run_queued(runtime, IMPORT_RECORDING) == ["done"]
    [recording] = await recordings_of(client, alice, meeting["id"])
    assert recording["sha256"] == hashlib.sha256(video.read_bytes()).hexdigest()
    assert recording["provider_data"]["room_instance_id"] == ROOM_INSTANCE
    code, output = await finalize(directory, server_url, REFLECTOR_SHARED_VOLUME="1")
    assert (code, "HTTP 200" in output) == (0, True), output


async def test_finalize_gives_up_on_a_refusal_without_retrying(
    client, alice, server_url, recordings_dir, tmp_path, runtime
):
    video = tmp_path / "tiny.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(1024))
    directory = jibri_session(recordings_dir, "nobody-here", video, metadata_for("nobody-here"))
    code, output = await finalize(directory, server_url)
    assert code == 1
    assert output.count("HTTP 404") == 1, output
    assert await stored_files(runtime) == []


async def test_finalize_stops_retrying_when_the_server_stays_down(recordings_dir, tmp_path):
    video = tmp_path / "tiny.mp4"
    video.write_bytes(os.urandom(1024))
    directory = jibri_session(recordings_dir, "room", video, None)
    unused = f"http://127.0.0.1:{free_port()}"
    code, output = await finalize(directory, unused, REFLECTOR_ATTEMPTS="2")
    assert code == 1
    assert "giving up" in output, output


def signed(body: bytes, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> dict:
    when = int(utcnow().timestamp()) if timestamp is None else timestamp
    return {SIGNATURE_HEADER: jibri_signature(body, when, secret)}


def encode_multipart(session: str, file_name: str, content: bytes) -> tuple[bytes, str]:
    """A body as finalize.sh sends it, so that its digest can be signed before it is sent."""
    request = httpx.Request(
        "POST",
        "http://reflector.test/",
        data={"session": session},
        files={"file": (file_name, content, "application/octet-stream")},
    )
    return request.read(), request.headers["content-type"]


def shared_volume_request(session: str) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"session": session}).encode()
    return body, {"Content-Type": "application/json", **signed(body)}


@pytest.mark.parametrize("session", ["..", "../..", "../etc", "a/../../etc", "/etc", ".", ""])
async def test_shared_volume_refuses_names_that_are_not_jibri_sessions(client, runtime, session):
    body, headers = shared_volume_request(session)
    response = await client.post("/v1/jitsi/recordings", content=body, headers=headers)
    assert response.status_code == 422, response.text
    async with runtime.db.read() as db:
        assert await db.scalar(select(func.count()).select_from(Job)) == 0


async def test_shared_volume_refuses_symlinks_out_of_the_recordings_directory(
    client, alice, runtime, recordings_dir, tmp_path
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / f"{room}_2026-03-02-10-02-08.mp4").write_bytes(b"secret")
    (outside / "metadata.json").write_text(json.dumps(metadata_for(room)))
    (recordings_dir / "escaping-directory").symlink_to(outside)
    inside = recordings_dir / "escaping-file"
    inside.mkdir()
    (inside / "metadata.json").write_text(json.dumps(metadata_for(room)))
    (inside / f"{room}_2026-03-02-10-02-08.mp4").symlink_to(outside / "secret.mp4")
    for session in ("escaping-directory", "escaping-file"):
        body, headers = shared_volume_request(session)
        response = await client.post("/v1/jitsi/recordings", content=body, headers=headers)
        assert response.status_code == 422, response.text
        assert "outside" in response.text
    async with runtime.db.read() as db:
        assert await db.scalar(select(func.count()).select_from(Job)) == 0


FORGERIES = {
    "unsigned": lambda body: {},
    "another body": lambda body: signed(b"another body"),
    # A minute beyond the five-minute window, so that a slow request does not bring it back.
    "stale": lambda body: signed(body, timestamp=int(utcnow().timestamp()) - 360),
    "from the future": lambda body: signed(body, timestamp=int(utcnow().timestamp()) + 360),
    "wrong secret": lambda body: signed(body, secret="not-the-secret-0123456789abcdefghij"),
    "body signature": lambda body: {
        SIGNATURE_HEADER: mock_signature(body, int(utcnow().timestamp()), WEBHOOK_SECRET)
    },
}


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_unsigned_or_stale_recordings_are_refused_and_nothing_is_kept(
    client, alice, runtime, forgery
):
    meeting = await new_meeting(client, alice)
    name = f"{meeting['platform_room_name']}_2026-03-02-10-02-08.mp4"
    body, content_type = encode_multipart(SESSION, name, b"\x00\x00\x00\x18ftypmp42" * 256)
    headers = {"Content-Type": content_type, **FORGERIES[forgery](body)}
    response = await client.post("/v1/jitsi/recordings", content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert await stored_files(runtime) == []
    async with runtime.db.read() as db:
        assert await db.scalar(select(func.count()).select_from(Recording)) == 0


async def test_the_recording_size_cap_applies(
    client, alice, runtime, server_url, recordings_dir, tmp_path
):
    meeting = await new_meeting(client, alice)
    room = meeting["platform_room_name"]
    smaller = runtime.config.settings.model_copy(update={"RECORDING_MAX_BYTES": 2048})
    object.__setattr__(runtime.config, "settings", smaller)
    video = tmp_path / "big.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + os.urandom(64 * 1024))
    directory = jibri_session(recordings_dir, room, video, metadata_for(room))
    code, output = await finalize(directory, server_url)
    assert (code, "HTTP 413" in output) == (1, True), output
    assert await stored_files(runtime) == []
