"""Consent to being recorded, through the API and the pipeline: answers stored and shown to
the owner; a refusal withholds that person's track unheard and deletes its file; in a mixed
recording, a refusal (or a participant who never answered) has the audio deleted as soon as
the transcript exists, or keeps it from being transcribed at all."""

from pathlib import Path

import pytest

from tests.media import OTHER_SENTENCE, SENTENCE, normalised, speech, word_share
from tests.storages import files_in_storage
from tests.support import mock_event, new_meeting, send_mock_event
from tests.test_recordings import MIN_WORD_SHARE, process_queued
from tests.web import make_user, sign_in

ASKING = {"consent": "ask", "is_shared": True}


@pytest.fixture(scope="module")
def voices(media_dir: Path) -> dict[str, bytes]:
    return {
        "ann.wav": speech(media_dir / "consent-ann.wav", SENTENCE).read_bytes(),
        "bob.wav": speech(media_dir / "consent-bob.wav", OTHER_SENTENCE).read_bytes(),
    }


async def answer(client, headers, meeting_id: str, said: str):
    return await client.post(
        f"/v1/meetings/{meeting_id}/consent", json={"answer": said}, headers=headers
    )


async def upload(client, headers, meeting_id: str, files: dict[str, bytes]) -> dict:
    parts = [("file", (name, content, "audio/wav")) for name, content in files.items()]
    response = await client.post(
        f"/v1/meetings/{meeting_id}/recordings", files=parts, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def transcript_of(client, headers, recording_id: str) -> tuple[dict, dict]:
    recording = (await client.get(f"/v1/recordings/{recording_id}", headers=headers)).json()
    transcript = await client.get(f"/v1/transcripts/{recording['transcript_id']}", headers=headers)
    return recording, transcript.json()


def said(transcript: dict) -> str:
    return " ".join(segment["text"] for segment in transcript["segments"])


async def test_answers_are_stored_replaced_and_shown_to_the_owner_only(client, alice, bob):
    meeting = await new_meeting(client, alice, "asks", **ASKING)
    assert (await answer(client, alice, meeting["id"], "agree")).status_code == 200
    assert (await answer(client, bob, meeting["id"], "agree")).status_code == 200
    changed = await answer(client, bob, meeting["id"], "refuse")
    assert (changed.json()["name"], changed.json()["answer"]) == ("bob", "refuse")

    url = f"/v1/meetings/{meeting['id']}"
    listed = (await client.get(url, headers=alice)).json()["consent"]
    assert [(a["name"], a["answer"]) for a in listed] == [("alice", "agree"), ("bob", "refuse")]
    assert (await client.get(url, headers=bob)).json()["consent"] is None

    wrong = await answer(client, bob, meeting["id"], "maybe")
    assert wrong.status_code == 422
    other = await new_meeting(client, alice, "never-asks")
    refused = await answer(client, alice, other["id"], "agree")
    assert refused.status_code == 409
    assert "does not ask for consent" in refused.json()["detail"]


async def test_a_refused_track_is_never_transcribed_and_its_file_is_gone(
    client, alice, bob, runtime, voices
):
    meeting = await new_meeting(client, alice, "two-voices", consent_default="agree", **ASKING)
    await answer(client, bob, meeting["id"], "refuse")
    created = await upload(client, alice, meeting["id"], voices)
    assert await process_queued(runtime) == ["done"]

    recording, transcript = await transcript_of(client, alice, created["id"])
    assert word_share(SENTENCE, said(transcript)) >= MIN_WORD_SHARE, said(transcript)
    assert not {"budget", "tuesday", "morning"} & set(normalised(said(transcript)).split())
    assert {segment["speaker"] for segment in transcript["segments"]} == {"ann"}
    assert transcript["consent"]["withheld"] == ["bob"]
    assert recording["tracks"] == 1
    kept = [key for key in files_in_storage(runtime.config.settings) if created["id"] in key]
    assert sorted(Path(key).name for key in kept) == ["audio-0.wav", "track-0.wav"]

    await make_user(runtime, "alice")
    await sign_in(client, "alice")
    shown = (await client.get(f"/transcripts/{transcript['id']}")).text
    assert "bob asked not to be recorded: their track was deleted unheard" in shown
    assert "bob: not recorded, as asked" in (await client.get("/r/two-voices")).text
    record = await client.get(f"/v1/transcripts/{transcript['id']}?format=md", headers=alice)
    assert "> bob asked not to be recorded" in record.text


async def test_a_mixed_recording_with_someone_unasked_loses_its_audio_once_transcribed(
    client, alice, runtime, spoken_video, clock
):
    meeting = await new_meeting(client, alice, "mixed", **ASKING)
    await answer(client, alice, meeting["id"], "agree")
    # Carol joined the platform directly: her answer was never seen, and counts as a refusal.
    joined = mock_event(
        "participant.joined", meeting["platform_room_name"], "p-c", user_name="Carol"
    )
    assert (await send_mock_event(client, joined, int(clock().timestamp()))).status_code == 200
    created = await upload(client, alice, meeting["id"], {"meeting.mp4": spoken_video.read_bytes()})
    assert await process_queued(runtime) == ["done"]

    recording, transcript = await transcript_of(client, alice, created["id"])
    assert word_share(SENTENCE, said(transcript)) >= MIN_WORD_SHARE
    assert transcript["consent"] == {
        "withheld": [],
        "mixed_refused": True,
        "not_transcribed": False,
    }
    assert recording["media_deleted_at"] is not None
    assert [key for key in files_in_storage(runtime.config.settings) if created["id"] in key] == []
    audio = await client.get(f"/v1/recordings/{created['id']}/audio", headers=alice)
    assert audio.status_code == 404
    assert "deleted" in audio.json()["detail"]
    again = await client.post(f"/v1/recordings/{created['id']}/process", headers=alice)
    assert again.status_code == 409


async def test_a_room_may_keep_mixed_recordings_it_cannot_have_from_being_transcribed(
    client, alice, bob, runtime, spoken_video
):
    meeting = await new_meeting(
        client, alice, "not-mixed", consent_default="agree", mixed_on_refusal="skip", **ASKING
    )
    await answer(client, bob, meeting["id"], "refuse")
    created = await upload(client, alice, meeting["id"], {"meeting.mp4": spoken_video.read_bytes()})
    assert await process_queued(runtime) == ["done"]

    recording, transcript = await transcript_of(client, alice, created["id"])
    assert transcript["segments"] == []
    assert transcript["consent"]["not_transcribed"] is True
    assert recording["media_deleted_at"] is not None
    assert [key for key in files_in_storage(runtime.config.settings) if created["id"] in key] == []


async def test_without_asking_nothing_is_withheld(client, alice, runtime, voices):
    meeting = await new_meeting(client, alice, "open-room")
    created = await upload(client, alice, meeting["id"], voices)
    assert await process_queued(runtime) == ["done"]
    recording, transcript = await transcript_of(client, alice, created["id"])
    assert {segment["speaker"] for segment in transcript["segments"]} == {"ann", "bob"}
    assert (recording["media_deleted_at"], transcript["consent"]["withheld"]) == (None, [])
