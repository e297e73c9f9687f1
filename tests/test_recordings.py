"""Recordings through HTTP: streamed upload, processing, transcripts and their exports."""

import asyncio
import hashlib
import os
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from reflector.db import Job, JobState
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.video_platforms.registry import PLATFORMS
from reflector.worker.celery_app import make_celery
from reflector.worker.processes import make_relay
from tests.media import OTHER_SENTENCE, SENTENCE, delayed, speech, word_share
from tests.support import new_meeting, run_queued

# Whisper base heard every word of this espeak-ng sentence when measured; one may go amiss.
MIN_WORD_SHARE = 0.9


async def upload(client, headers, meeting_id, name: str, content: bytes):
    files = {"file": (name, content, "application/octet-stream")}
    return await client.post(f"/v1/meetings/{meeting_id}/recordings", files=files, headers=headers)


async def process_queued(runtime) -> list[str | None]:
    return await run_queued(runtime, PROCESS_RECORDING)


async def test_an_uploaded_recording_is_stored_and_transcribed(
    client, alice, runtime, spoken_video
):
    meeting = await new_meeting(client, alice)
    content = spoken_video.read_bytes()
    created = await upload(client, alice, meeting["id"], "meeting.mp4", content)
    assert created.status_code == 201, created.text
    recording = created.json()
    assert (recording["status"], recording["size"]) == ("received", len(content))
    assert recording["sha256"] == hashlib.sha256(content).hexdigest()

    assert await process_queued(runtime) == ["done"]
    done = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    assert done["status"] == "done"
    assert 4 < done["duration"] < 10
    transcript = (
        await client.get(f"/v1/transcripts/{done['transcript_id']}", headers=alice)
    ).json()
    text = " ".join(segment["text"] for segment in transcript["segments"])
    assert word_share(SENTENCE, text) >= MIN_WORD_SHARE, text
    assert {segment["speaker"] for segment in transcript["segments"]} == {"Speaker 1"}
    assert transcript["summary"]["status"] == "skipped"
    assert "set LLM_API_URL and LLM_MODEL" in transcript["summary"]["error"]
    listed = (await client.get(f"/v1/meetings/{meeting['id']}/recordings", headers=alice)).json()
    assert [r["id"] for r in listed] == [recording["id"]]


async def test_transcript_exports(client, alice, runtime, spoken_video):
    meeting = await new_meeting(client, alice)
    recording = (
        await upload(client, alice, meeting["id"], "m.mp4", spoken_video.read_bytes())
    ).json()
    await process_queued(runtime)
    transcript_id = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()[
        "transcript_id"
    ]
    base = f"/v1/transcripts/{transcript_id}"
    vtt = await client.get(f"{base}?format=vtt", headers=alice)
    assert vtt.headers["content-type"].startswith("text/vtt")
    assert vtt.text.startswith("WEBVTT\n\n00:00:")
    srt = (await client.get(f"{base}?format=srt", headers=alice)).text
    assert srt.startswith("1\n00:00:")
    assert " --> " in srt
    txt = (await client.get(f"{base}?format=txt", headers=alice)).text
    assert "Speaker 1: " in txt
    assert (await client.get(f"{base}?format=doc", headers=alice)).status_code == 422


async def test_reprocessing_replaces_the_transcript(client, alice, runtime, spoken_video):
    meeting = await new_meeting(client, alice)
    recording = (
        await upload(client, alice, meeting["id"], "m.mp4", spoken_video.read_bytes())
    ).json()
    await process_queued(runtime)
    first = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()[
        "transcript_id"
    ]
    again = await client.post(f"/v1/recordings/{recording['id']}/process", headers=alice)
    assert again.status_code == 202
    await process_queued(runtime)
    second = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()[
        "transcript_id"
    ]
    assert second == first  # the same transcript, processed again: links to it still work
    assert (await client.get(f"/v1/transcripts/{first}", headers=alice)).status_code == 200


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("notes.mp4", b"Minutes of the meeting: nothing decided.\n" * 100, "the file is text"),
        (
            "playlist.mp4",
            b"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n",
            "the file is text",
        ),
        ("photo.mp4", b"\x89PNG\r\n\x1a\n" + os.urandom(5_000), "not audio or video"),
        ("empty.mp4", b"", "the file is empty"),
    ],
)
async def test_files_that_are_not_media_are_refused_before_they_are_stored(
    client, alice, runtime, tmp_path, name, content, said
):
    meeting = await new_meeting(client, alice)
    response = await upload(client, alice, meeting["id"], name, content)
    assert response.status_code == 415
    assert said in response.json()["detail"]
    listed = await client.get(f"/v1/meetings/{meeting['id']}/recordings", headers=alice)
    assert listed.json() == []
    assert [p for p in (tmp_path / "storage").rglob("*") if p.is_file()] == []


async def test_media_that_cannot_be_read_fails_with_a_reason_and_no_server_path(
    client, alice, runtime
):
    meeting = await new_meeting(client, alice)
    noise = b"\x00\x00\x00\x18ftypmp42" + os.urandom(50_000)
    recording = (await upload(client, alice, meeting["id"], "noise.mp4", noise)).json()
    assert await process_queued(runtime) == ["failed"]
    failed = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    assert failed["status"] == "failed"
    # A sentence about the recording: the stage, then what was wrong; no exception's name.
    assert failed["error"].startswith("The recording could not be read: not readable media")
    assert str(runtime.config.settings.storage_local_dir) not in failed["error"]
    assert "/recordings/" not in failed["error"]


async def test_a_truncated_file_fails(client, alice, runtime, spoken_video):
    meeting = await new_meeting(client, alice)
    content = spoken_video.read_bytes()
    recording = (
        await upload(client, alice, meeting["id"], "cut.mp4", content[: len(content) // 2])
    ).json()
    assert await process_queued(runtime) == ["failed"]
    failed = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    assert failed["status"] == "failed"


async def test_upload_needs_the_file_field_and_the_owner(client, alice, bob):
    meeting = await new_meeting(client, alice, is_shared=True)
    url = f"/v1/meetings/{meeting['id']}/recordings"
    missing = await client.post(url, files={"other": ("a.mp4", b"abc")}, headers=alice)
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "file"]
    not_multipart = await client.post(url, content=b"abc", headers=alice)
    assert not_multipart.status_code == 415
    broken = "--b\r\n\xf3\xa9\xa5\xa9--b--\r\n".encode("latin-1")
    headers = {**alice, "Content-Type": "multipart/form-data; boundary=b"}
    malformed = await client.post(url, content=broken, headers=headers)
    assert malformed.status_code == 400
    assert "malformed multipart" in malformed.json()["detail"]
    assert (await upload(client, bob, meeting["id"], "a.mp4", b"abc")).status_code == 403
    unknown = f"/v1/meetings/{uuid.uuid4()}/recordings"
    assert (
        await client.post(unknown, files={"file": ("a", b"a")}, headers=alice)
    ).status_code == 404


async def test_one_track_per_participant_gives_one_speaker_each(client, alice, runtime, media_dir):
    first = speech(media_dir / "alice-raw.wav", SENTENCE)
    second = delayed(speech(media_dir / "bob-raw.wav", OTHER_SENTENCE), 8, media_dir / "bob.wav")
    meeting = await new_meeting(client, alice)
    files = [
        ("file", ("alice.wav", first.read_bytes(), "audio/wav")),
        ("file", ("bob.wav", second.read_bytes(), "audio/wav")),
    ]
    created = await client.post(
        f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice
    )
    assert created.status_code == 201, created.text
    assert created.json()["tracks"] == 2
    assert await process_queued(runtime) == ["done"]
    transcript_id = (
        await client.get(f"/v1/recordings/{created.json()['id']}", headers=alice)
    ).json()["transcript_id"]
    segments = (await client.get(f"/v1/transcripts/{transcript_id}", headers=alice)).json()[
        "segments"
    ]
    assert {segment["speaker"] for segment in segments} == {"alice", "bob"}
    assert [segment["start"] for segment in segments] == sorted(
        segment["start"] for segment in segments
    )
    assert segments[0]["speaker"] == "alice"
    assert segments[-1]["speaker"] == "bob"
    assert min(s["start"] for s in segments if s["speaker"] == "bob") >= 7.5
    for speaker, sentence in (("alice", SENTENCE), ("bob", OTHER_SENTENCE)):
        words = [w for s in segments if s["speaker"] == speaker for w in s["words"]]
        assert word_share(sentence, " ".join(w["text"] for w in words)) >= MIN_WORD_SHARE
        times = [(w["start"], w["end"]) for w in words]
        assert times == sorted(times)
        assert all(start <= end for start, end in times)


async def test_a_recording_in_which_nobody_speaks_has_an_empty_transcript(
    client, alice, runtime, silent_recording
):
    meeting = await new_meeting(client, alice)
    recording = (await upload(client, alice, meeting["id"], "quiet.mp4", silent_recording)).json()
    assert await process_queued(runtime) == ["done"]
    done = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    transcript = (
        await client.get(f"/v1/transcripts/{done['transcript_id']}", headers=alice)
    ).json()
    assert (transcript["segments"], transcript["language"], transcript["languages"]) == (
        [],
        "und",
        {},
    )


async def test_one_processing_at_a_time(client, alice, runtime, silent_recording):
    meeting = await new_meeting(client, alice)
    recording = (await upload(client, alice, meeting["id"], "quiet.mp4", silent_recording)).json()
    url = f"/v1/recordings/{recording['id']}/process"
    busy = await client.post(url, headers=alice)
    assert busy.status_code == 409
    assert "being processed already" in busy.json()["detail"]
    assert await process_queued(runtime) == ["done"]
    both = await asyncio.gather(*(client.post(url, headers=alice) for _ in range(2)))
    assert 202 in {answer.status_code for answer in both} <= {202, 409}
    assert await process_queued(runtime) == ["done"]


async def test_a_recording_whose_job_keeps_killing_workers_fails(
    client, alice, runtime, config, spoken_video
):
    meeting = await new_meeting(client, alice)
    recording = (
        await upload(client, alice, meeting["id"], "m.mp4", spoken_video.read_bytes())
    ).json()
    async with runtime.db.write() as session:
        job = (await session.scalars(select(Job).where(Job.task == PROCESS_RECORDING.name))).one()
        job.state, job.crashes = JobState.RUNNING, 2
        job.lease_owner, job.lease_until = "a-dead-worker", runtime.clock() - timedelta(seconds=1)
    relay = make_relay(config, PLATFORMS, runtime.db, make_celery(config, PLATFORMS), runtime.clock)
    assert await relay.sweep() == 1
    failed = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    assert failed["status"] == "failed"
    assert "stopped its worker 3 times" in failed["error"]


async def test_members_of_a_shared_room_read_its_transcripts(
    client, alice, bob, runtime, spoken_video
):
    meeting = await new_meeting(client, alice, is_shared=True)
    created = await upload(client, alice, meeting["id"], "m.mp4", spoken_video.read_bytes())
    assert await process_queued(runtime) == ["done"]
    recording = (await client.get(f"/v1/recordings/{created.json()['id']}", headers=bob)).json()
    transcript = await client.get(f"/v1/transcripts/{recording['transcript_id']}", headers=bob)
    assert transcript.status_code == 200
    assert transcript.json()["segments"]
