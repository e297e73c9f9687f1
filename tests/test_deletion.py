"""Deleting recordings, transcripts and rooms removes the rows and the stored files: checked
by looking in the storage afterwards, on local disk and in S3 (the local moto server)."""

import uuid

import pytest
from pydantic import SecretStr

from tests.servers import s3_client
from tests.support import new_meeting
from tests.test_recordings import process_queued

MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(2048)


@pytest.fixture(params=["local", "s3"])
def storage(request) -> str:
    return str(request.param)


@pytest.fixture
def bucket(storage, request) -> str | None:
    if storage != "s3":
        return None
    name = f"deletion-{uuid.uuid4().hex[:8]}"
    s3_client(request.getfixturevalue("s3_endpoint")).create_bucket(Bucket=name)
    return name


@pytest.fixture
def settings(settings, storage, bucket, request):
    if storage == "local":
        return settings
    return settings.model_copy(
        update={
            "STORAGE_BACKEND": "s3",
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": request.getfixturevalue("s3_endpoint"),
            "S3_ACCESS_KEY_ID": SecretStr("t"),
            "S3_SECRET_ACCESS_KEY": SecretStr("t"),
        }
    )


@pytest.fixture
def stored_files(runtime, bucket, request):
    """What is in the storage now, whichever it is."""

    def listing() -> list[str]:
        if bucket is None:
            root = runtime.config.settings.storage_local_dir
            # Directories too: a deleted recording leaves no empty directory behind.
            return sorted(
                str(path.relative_to(root))
                for path in root.rglob("*")
                if ".spool" not in path.parts
                and path.name != "recordings"
                and (path.is_file() or not any(path.iterdir()))
            )
        s3 = s3_client(request.getfixturevalue("s3_endpoint"))
        return sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []))

    return listing


async def recorded(client, headers, meeting_id: str, *names: str) -> dict:
    files = [("file", (name, MP4, "video/mp4")) for name in names]
    response = await client.post(
        f"/v1/meetings/{meeting_id}/recordings", files=files, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_deleting_a_recording_removes_its_files_and_transcript(
    client, alice, bob, runtime, spoken_video, stored_files
):
    meeting = await new_meeting(client, alice, is_shared=True)
    files = {"file": ("m.mp4", spoken_video.read_bytes(), "video/mp4")}
    created = await client.post(
        f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice
    )
    kept = await recorded(client, alice, meeting["id"], "alice.mp4", "bob.mp4")
    assert await process_queued(runtime) == ["done", "failed"]
    recording = (await client.get(f"/v1/recordings/{created.json()['id']}", headers=alice)).json()
    assert len(stored_files()) == 3
    url = f"/v1/recordings/{recording['id']}"
    assert (await client.delete(url, headers=bob)).status_code == 403
    assert (await client.delete(url, headers=alice)).status_code == 204
    assert (await client.get(url, headers=alice)).status_code == 404
    transcript = f"/v1/transcripts/{recording['transcript_id']}"
    assert (await client.get(transcript, headers=alice)).status_code == 404
    assert [key for key in stored_files() if recording["id"] in key] == []
    assert len([key for key in stored_files() if kept["id"] in key]) == 2
    assert (await client.delete(url, headers=alice)).status_code == 404


async def test_deleting_a_transcript_keeps_its_recording(
    client, alice, runtime, spoken_video, stored_files
):
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
    assert len(stored_files()) == 1


async def test_deleting_a_room_removes_everything_under_it(client, alice, stored_files):
    first = await new_meeting(client, alice, room="gone")
    await recorded(client, alice, first["id"], "a.mp4")
    assert (await client.delete(f"/v1/rooms/{first['room_id']}", headers=alice)).status_code == 409
    await client.post(f"/v1/meetings/{first['id']}/end", headers=alice)
    second = (
        await client.post("/v1/rooms/gone/meeting", json={"allow_duplicated": True}, headers=alice)
    ).json()
    await recorded(client, alice, second["id"], "b.mp4", "c.mp4")
    await client.post(f"/v1/meetings/{second['id']}/end", headers=alice)
    other = await new_meeting(client, alice, room="stays")
    await recorded(client, alice, other["id"], "d.mp4")
    assert len(stored_files()) == 4

    deleted = await client.delete(f"/v1/rooms/{first['room_id']}", headers=alice)
    assert deleted.status_code == 204
    assert len(stored_files()) == 1
    for meeting in (first, second):
        gone = await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)
        assert gone.status_code == 404
    assert (await client.get(f"/v1/meetings/{other['id']}", headers=alice)).status_code == 200
