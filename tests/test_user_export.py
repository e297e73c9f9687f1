"""A person's data: `users export` writes a zip of what they have, and deleting them keeps
their answers to being recorded only as a deleted user's."""

import json
import zipfile

from reflector.accounts import exports, users
from reflector.rooms import removal
from tests.support import new_meeting
from tests.test_recordings import process_queued


async def test_the_export_holds_the_users_rooms_meetings_transcripts_and_answers(
    client, alice, bob, runtime, clock, silent_recording, tmp_path
):
    await users.create(runtime.db, clock, "alice", None)
    await users.create(runtime.db, clock, "bob", None)
    meeting = await new_meeting(client, alice, "kept-room", consent="ask", is_shared=True)
    url = f"/v1/meetings/{meeting['id']}"
    await client.post(f"{url}/consent", json={"answer": "agree"}, headers=alice)
    await client.post(f"{url}/consent", json={"answer": "refuse"}, headers=bob)
    files = {"file": ("m.mp4", silent_recording, "audio/mp4")}
    await client.post(f"{url}/recordings", files=files, headers=alice)
    assert await process_queued(runtime) == ["done"]

    target = tmp_path / "alice.zip"
    done = await exports.write_user_archive(runtime, "alice", target)
    assert (done.rooms, done.meetings, done.transcripts, done.answers) == (1, 1, 1, 1)
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        rooms = json.loads(archive.read("rooms.json"))
        meetings = json.loads(archive.read("meetings.json"))
        answers = json.loads(archive.read("consent.json"))
        readme = archive.read("README.txt").decode()
    transcripts = {name for name in names if name.startswith("transcripts/")}
    assert {"README.txt", "user.json", "rooms.json", "meetings.json", "consent.json"} <= names
    assert sorted(name.rsplit(".", 1)[1] for name in transcripts) == ["json", "txt"]
    assert [(room["name"], room["consent"]) for room in rooms] == [("kept-room", "ask")]
    assert [m["id"] for m in meetings] == [meeting["id"]]
    assert len(meetings[0]["recordings"]) == 1
    assert [(a["meeting_id"], a["answer"]) for a in answers] == [(meeting["id"], "agree")]
    assert "consent.json" in readme

    gone = await removal.delete_user(runtime, "bob")
    assert gone.answers == 1
    listed = (await client.get(url, headers=alice)).json()["consent"]
    assert [(a["name"], a["user_id"], a["answer"]) for a in listed] == [
        ("alice", "alice", "agree"),
        (removal.DELETED_USER, None, "refuse"),
    ]
