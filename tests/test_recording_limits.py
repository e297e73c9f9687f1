"""Upload size caps are enforced while the upload streams, and a recording's length is
counted as it is decoded, whatever its header says."""

import pytest

from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from tests.media import lying_about_its_length
from tests.support import new_meeting, run_queued


@pytest.fixture
def settings(settings):
    limits = {
        "RECORDING_MAX_BYTES": 100_000,
        "RECORDING_MAX_SECONDS": 60,
        "RECORDING_MAX_TRACKS": 3,
    }
    return settings.model_copy(update=limits)


async def upload(client, headers, meeting_id, content: bytes, **extra):
    files = {"file": ("big.mp4", content, "application/octet-stream")}
    url = f"/v1/meetings/{meeting_id}/recordings"
    return await client.post(url, files=files, headers=headers, **extra)


async def test_an_oversized_upload_is_refused_and_nothing_is_kept(client, alice, tmp_path):
    meeting = await new_meeting(client, alice)
    response = await upload(client, alice, meeting["id"], b"x" * 200_000)
    assert response.status_code == 413
    listed = (await client.get(f"/v1/meetings/{meeting['id']}/recordings", headers=alice)).json()
    assert listed == []
    stored = [p for p in (tmp_path / "storage").rglob("*") if p.is_file()]
    assert stored == []


async def test_a_chunked_upload_without_length_is_cut_off_at_the_cap(client, alice, tmp_path):
    meeting = await new_meeting(client, alice)
    boundary = "reflector-test-boundary"

    async def body():
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        yield b"\x00\x00\x00\x18ftypmp42"
        for _ in range(40):
            yield b"x" * 10_000
        yield f"\r\n--{boundary}--\r\n".encode()

    headers = {**alice, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    url = f"/v1/meetings/{meeting['id']}/recordings"
    response = await client.post(url, content=body(), headers=headers)
    assert response.status_code == 413
    assert [p for p in (tmp_path / "storage").rglob("*") if p.is_file()] == []


async def test_a_recording_longer_than_its_header_says_stops_at_the_limit(
    client, alice, runtime, tmp_path
):
    meeting = await new_meeting(client, alice)
    liar = lying_about_its_length(tmp_path / "short.mkv", seconds=90, claimed=1)
    files = {"file": ("short.mkv", liar.read_bytes(), "audio/x-matroska")}
    url = f"/v1/meetings/{meeting['id']}/recordings"
    recording = (await client.post(url, files=files, headers=alice)).json()
    assert await run_queued(runtime, PROCESS_RECORDING) == ["failed"]
    failed = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    assert failed["status"] == "failed"
    assert "longer than the limit of 60 s once decoded" in failed["error"]
    audio = await client.get(f"/v1/recordings/{recording['id']}/audio", headers=alice)
    assert audio.status_code == 404


async def test_an_upload_of_more_files_than_tracks_allowed_is_refused(client, alice, runtime):
    meeting = await new_meeting(client, alice)
    part = b"\x00\x00\x00\x18ftypmp42" + bytes(1600)
    files = [("file", (f"p{n}.mp4", part, "video/mp4")) for n in range(4)]
    url = f"/v1/meetings/{meeting['id']}/recordings"
    refused = await client.post(url, files=files, headers=alice)
    assert refused.status_code == 422
    assert "at most 3 files (tracks) make one recording" in refused.text
    assert (await client.get(url, headers=alice)).json() == []
    assert [
        p
        for p in (runtime.config.settings.REFLECTOR_DATA_DIR / "storage").rglob("*")
        if p.is_file()
    ] == []
    accepted = await client.post(url, files=files[:3], headers=alice)
    assert (accepted.status_code, accepted.json()["tracks"]) == (201, 3)
