"""Upload size caps are enforced while the upload streams."""

import pytest

from tests.support import new_meeting


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"RECORDING_MAX_BYTES": 100_000})


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
