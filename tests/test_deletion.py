"""Deleting recordings, transcripts and rooms removes the rows and the stored files: checked
by looking in the storage afterwards, on local disk and in S3 (the local moto server)."""

import pytest

from tests.storages import files_in_storage, on_storage
from tests.support import new_meeting
from tests.test_recordings import process_queued


@pytest.fixture
def settings(settings, storage_bucket):
    return on_storage(settings, storage_bucket)


def stored(runtime) -> list[str]:
    return files_in_storage(runtime.config.settings)


MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(2048)


async def recorded(client, headers, meeting_id: str, *names: str) -> dict:
    files = [("file", (name, MP4, "video/mp4")) for name in names]
    response = await client.post(
        f"/v1/meetings/{meeting_id}/recordings", files=files, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_deleting_a_recording_removes_its_files_and_transcript(
    client, alice, bob, runtime, spoken_video
):
    meeting = await new_meeting(client, alice, is_shared=True)
    files = {"file": ("m.mp4", spoken_video.read_bytes(), "video/mp4")}
    created = await client.post(
        f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice
    )
    kept = await recorded(client, alice, meeting["id"], "alice.mp4", "bob.mp4")
    assert await process_queued(runtime) == ["done", "failed"]
    recording = (await client.get(f"/v1/recordings/{created.json()['id']}", headers=alice)).json()
    assert len(stored(runtime)) == 4  # the processed one's extracted audio too
    url = f"/v1/recordings/{recording['id']}"
    assert (await client.delete(url, headers=bob)).status_code == 403
    assert (await client.delete(url, headers=alice)).status_code == 204
    assert (await client.get(url, headers=alice)).status_code == 404
    transcript = f"/v1/transcripts/{recording['transcript_id']}"
    assert (await client.get(transcript, headers=alice)).status_code == 404
    assert [key for key in stored(runtime) if recording["id"] in key] == []
    assert len([key for key in stored(runtime) if kept["id"] in key]) == 2
    assert (await client.delete(url, headers=alice)).status_code == 404


async def test_deleting_a_transcript_keeps_its_recording(client, alice, runtime, spoken_video):
    meeting = await new_meeting(client, alice)
    files = {"file": ("m.mp4", spoken_video.read_bytes(), "video/mp4")}
    created = (
        await client.post(f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice)
    ).json()
    assert await process_queued(runtime) == ["done"]
    url = f"/v1/recordings/{created['id']}"
    transcript_id = (await client.get(url, headers=alice)).json()["transcript_id"]
    deleted = await client.delete(f"/v1/transcripts/{transcript_id}", headers=alice)
    assert deleted.status_code == 204
    assert (await client.get(f"/v1/transcripts/{transcript_id}", headers=alice)).status_code == 404
    assert (await client.get(url, headers=alice)).json()["transcript_id"] is None
    assert len(stored(runtime)) == 2  # the file and its extracted audio stay


async def test_deleting_a_room_removes_everything_under_it(client, alice, runtime):
    first = await new_meeting(client, alice, room="gone")
    await recorded(client, alice, first["id"], "a.mp4")
    await client.post(f"/v1/meetings/{first['id']}/end", headers=alice)
    # The second meeting is still on when its room is deleted.
    second = (
        await client.post("/v1/rooms/gone/meeting", json={"allow_duplicated": True}, headers=alice)
    ).json()
    await recorded(client, alice, second["id"], "b.mp4", "c.mp4")
    other = await new_meeting(client, alice, room="stays")
    await recorded(client, alice, other["id"], "d.mp4")
    assert len(stored(runtime)) == 4

    deleted = await client.delete(f"/v1/rooms/{first['room_id']}", headers=alice)
    assert deleted.status_code == 204
    assert len(stored(runtime)) == 1
    for meeting in (first, second):
        gone = await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)
        assert gone.status_code == 404
    assert (await client.get(f"/v1/meetings/{other['id']}", headers=alice)).status_code == 200
