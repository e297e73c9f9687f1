"""Downloading a recording's files and its extracted audio, whole and by byte ranges."""

import pytest

from tests.storages import on_storage
from tests.support import new_meeting
from tests.test_recordings import process_queued


@pytest.fixture
def settings(settings, storage_bucket):
    return on_storage(settings, storage_bucket)


async def test_files_download_whole_and_by_range(client, alice, bob, runtime, spoken_video):
    meeting = await new_meeting(client, alice)
    video = spoken_video.read_bytes()
    other = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8
    files = [("file", ("ada.mp4", video, "video/mp4")), ("file", ("bo.mp4", other, "video/mp4"))]
    created = (
        await client.post(f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice)
    ).json()
    url = f"/v1/recordings/{created['id']}/file"

    whole = await client.get(url, headers=alice)
    assert (whole.status_code, whole.content) == (200, video)
    assert whole.headers["content-type"] == "video/mp4"
    assert whole.headers["accept-ranges"] == "bytes"
    assert "attachment" in whole.headers["content-disposition"]
    second = await client.get(f"{url}?track=1", headers=alice)
    assert second.content == other

    part = await client.get(f"{url}?track=1", headers={**alice, "Range": "bytes=10-19"})
    assert (part.status_code, part.content) == (206, other[10:20])
    assert part.headers["content-range"] == f"bytes 10-19/{len(other)}"
    tail = await client.get(f"{url}?track=1", headers={**alice, "Range": "bytes=-5"})
    assert tail.content == other[-5:]
    rest = await client.get(f"{url}?track=1", headers={**alice, "Range": "bytes=2000-"})
    assert rest.content == other[2000:]
    outside = await client.get(url, headers={**alice, "Range": f"bytes={len(video)}-"})
    assert outside.status_code == 416
    assert outside.headers["content-range"] == f"bytes */{len(video)}"
    huge = "9" * 5000
    beyond = await client.get(url, headers={**alice, "Range": f"bytes={huge}-"})
    assert beyond.status_code == 416
    everything = await client.get(url, headers={**alice, "Range": f"bytes=0-{huge}"})
    assert (everything.status_code, everything.content) == (206, video)
    last = await client.get(url, headers={**alice, "Range": f"bytes=-{huge}"})
    assert last.content == video

    assert (await client.get(f"{url}?track=2", headers=alice)).status_code == 404
    assert (await client.get(url, headers=bob)).status_code == 404  # not shared: not visible


async def test_the_extracted_audio_downloads_once_processed(client, alice, runtime, spoken_video):
    meeting = await new_meeting(client, alice)
    files = {"file": ("m.mp4", spoken_video.read_bytes(), "video/mp4")}
    created = (
        await client.post(f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice)
    ).json()
    url = f"/v1/recordings/{created['id']}/audio"
    assert (await client.get(url, headers=alice)).status_code == 404
    assert await process_queued(runtime) == ["done"]
    audio = await client.get(url, headers=alice)
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/wav"
    assert (audio.content[:4], audio.content[8:12]) == (b"RIFF", b"WAVE")
    head = await client.get(url, headers={**alice, "Range": "bytes=0-43"})
    assert (head.status_code, head.content) == (206, audio.content[:44])
