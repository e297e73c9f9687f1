"""Retention of recordings' files and transcripts, under a clock the test moves: each goes
when the shorter of the service's and its room's limit is up, counted from processing, and
a second run finds nothing more to do. On both databases and both storages."""

from datetime import timedelta

import pytest

from reflector.jobs.retention import remove_expired
from reflector.recordings import expiry
from tests.storages import files_in_storage, on_storage
from tests.support import FakeClock, new_meeting
from tests.test_recordings import process_queued
from tests.web import make_user, sign_in

DAY = timedelta(days=1).total_seconds()


@pytest.fixture
def settings(settings, storage_bucket):
    return on_storage(settings, storage_bucket).model_copy(update={"RETENTION_TRANSCRIPT_DAYS": 30})


async def recorded(client, headers, room: str, content: bytes, **room_fields) -> str:
    meeting = await new_meeting(client, headers, room, **room_fields)
    files = {"file": ("meeting.mp4", content, "audio/mp4")}
    created = await client.post(
        f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=headers
    )
    assert created.status_code == 201, created.text
    recording_id: str = created.json()["id"]
    return recording_id


async def test_media_and_transcripts_go_when_their_time_is_up(
    client, alice, runtime, clock: FakeClock, silent_recording
):
    short = await recorded(
        client,
        alice,
        "short-lived",
        silent_recording,
        retention_media_days=1,
        retention_transcript_days=3,
    )
    kept = await recorded(client, alice, "long-lived", silent_recording)
    assert await process_queued(runtime) == ["done", "done"]

    def files_of(recording_id: str) -> list[str]:
        return [k for k in files_in_storage(runtime.config.settings) if recording_id in k]

    async def state(recording_id: str) -> tuple[bool, int]:
        """Whether its files are gone, and how its transcript answers."""
        recording = (await client.get(f"/v1/recordings/{recording_id}", headers=alice)).json()
        transcript = recording["transcript_id"] or "00000000-0000-0000-0000-000000000000"
        answer = await client.get(f"/v1/transcripts/{transcript}", headers=alice)
        return recording["media_deleted_at"] is not None, answer.status_code

    first = (await client.get(f"/v1/recordings/{short}", headers=alice)).json()
    assert first["media_deleted_on"] == (clock() + timedelta(days=1)).isoformat().replace(
        "+00:00", "Z"
    )
    assert await expiry.run(runtime) == []
    await make_user(runtime, "alice")
    await sign_in(client, "alice")
    day_after = f"{clock() + timedelta(days=1):%Y-%m-%d}"
    assert f"audio kept until {day_after}" in (await client.get("/r/short-lived")).text
    shown = (await client.get(f"/transcripts/{first['transcript_id']}")).text
    assert f"This transcript will be deleted on {clock() + timedelta(days=3):%Y-%m-%d}" in shown

    clock.advance(DAY + 60)
    would = await expiry.run(runtime, dry_run=True)
    assert [(item.kind, str(item.recording_id)) for item in would] == [("media", short)]
    assert files_of(short) != []  # a dry run deletes nothing
    await remove_expired(runtime)  # the periodic job
    assert await state(short) == (True, 200)
    assert (files_of(short), files_of(kept) != []) == ([], True)
    assert await expiry.run(runtime) == []

    clock.advance(2 * DAY)
    gone = await expiry.run(runtime)
    assert [(item.kind, str(item.recording_id)) for item in gone] == [("transcript", short)]
    assert await state(short) == (True, 404)
    listed = (await client.get("/v1/transcripts", headers=alice)).json()
    assert listed["total"] == 1
    assert await expiry.run(runtime) == []

    clock.advance(27 * DAY)  # the service keeps transcripts 30 days, and media for ever
    assert [item.kind for item in await expiry.run(runtime)] == ["transcript"]
    assert await state(kept) == (False, 404)
    assert files_of(kept) != []
    assert await expiry.run(runtime) == []


async def test_a_room_may_only_shorten_the_services_limit(client, alice):
    too_long = {"name": "hoarder", "retention_transcript_days": 31}
    refused = await client.post("/v1/rooms", json=too_long, headers=alice)
    assert refused.status_code == 422
    assert "a room may only shorten that" in refused.text
    room = await client.post("/v1/rooms", json={"name": "tidy"}, headers=alice)
    patched = await client.patch(
        f"/v1/rooms/{room.json()['id']}", json={"retention_transcript_days": 7}, headers=alice
    )
    assert patched.json()["retention_transcript_days"] == 7


async def test_media_kept_no_days_goes_as_soon_as_the_transcript_exists(
    client, alice, runtime, silent_recording
):
    recording_id = await recorded(
        client, alice, "no-media", silent_recording, retention_media_days=0
    )
    assert await process_queued(runtime) == ["done"]
    recording = (await client.get(f"/v1/recordings/{recording_id}", headers=alice)).json()
    assert recording["media_deleted_at"] is not None
    assert recording["transcript_id"] is not None
    assert [k for k in files_in_storage(runtime.config.settings) if recording_id in k] == []
