"""Storage shared between processes: STORAGE_LOCAL_DIR, and a worker that cannot see it."""

from sqlalchemy import select

from reflector.config.loading import Config
from reflector.db import Job
from reflector.recordings.pipeline.processing import PROCESS_RECORDING
from reflector.runtime import Runtime
from reflector.video_platforms.registry import PLATFORMS
from tests.support import new_meeting, run_queued


async def test_uploads_land_in_storage_local_dir(client, alice, runtime, tmp_path, spoken_video):
    meeting = await new_meeting(client, alice)
    files = {"file": ("meeting.mp4", spoken_video.read_bytes(), "video/mp4")}
    created = await client.post(
        f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice
    )
    expected = tmp_path / "storage" / "recordings" / created.json()["id"] / "track-0.mp4"
    assert expected.is_file()


async def test_a_worker_on_other_storage_fails_the_job_saying_why(
    client, alice, config: Config, tmp_path, spoken_video
):
    meeting = await new_meeting(client, alice)
    files = {"file": ("meeting.mp4", spoken_video.read_bytes(), "video/mp4")}
    created = await client.post(
        f"/v1/meetings/{meeting['id']}/recordings", files=files, headers=alice
    )
    elsewhere = config.settings.model_copy(update={"STORAGE_LOCAL_DIR": tmp_path / "other"})
    worker = Runtime.open(Config(settings=elsewhere, platforms=config.platforms), PLATFORMS)
    try:
        assert await run_queued(worker, PROCESS_RECORDING) == ["failed"]
        async with worker.db.read() as session:
            job = await session.scalar(select(Job).where(Job.task == PROCESS_RECORDING.name))
    finally:
        await worker.aclose()
    assert job is not None
    assert "STORAGE_LOCAL_DIR" in (job.error or "")
    recording = (await client.get(f"/v1/recordings/{created.json()['id']}", headers=alice)).json()
    assert recording["status"] == "failed"
    assert "every API and worker process must use the same storage" in recording["error"]
