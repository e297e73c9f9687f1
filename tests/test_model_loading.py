"""A worker loads its model once, off the event loop: the service answers all the while."""

import asyncio
import logging
import time

import pytest

from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from tests.support import new_meeting, run_queued


@pytest.fixture
def database_url(migrated_urls: dict[str, str]) -> str:
    """Where jobs are kept does not matter here, and a model loads once per process."""
    return migrated_urls["sqlite"]


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"TRANSCRIPTION_MODEL": "tiny.en"})


async def test_the_service_answers_while_a_worker_loads_its_model(
    client, alice, runtime, spoken_video, caplog
):
    caplog.set_level(logging.INFO, logger="reflector.recordings.pipeline.engines")
    meeting = await new_meeting(client, alice)
    files = {"file": ("m.mp4", spoken_video.read_bytes(), "video/mp4")}
    recording = (
        await client.post(f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice)
    ).json()
    processing = asyncio.create_task(run_queued(runtime, PROCESS_RECORDING))
    waits = []
    while not processing.done():
        began = time.perf_counter()
        assert (await client.get("/health")).status_code == 200
        waits.append(time.perf_counter() - began)
        await asyncio.sleep(0.02)
    assert await processing == ["done"]
    assert any("loaded whisper model tiny.en" in r.getMessage() for r in caplog.records)
    assert len(waits) > 10
    assert max(waits) < 1.0, waits
    done = (await client.get(f"/v1/recordings/{recording['id']}", headers=alice)).json()
    transcript = (
        await client.get(f"/v1/transcripts/{done['transcript_id']}", headers=alice)
    ).json()
    assert (transcript["engine"], transcript["model"], transcript["language"]) == (
        "whisper",
        "tiny.en",
        "en",
    )
    assert "meeting notes" in " ".join(s["text"] for s in transcript["segments"]).lower()
