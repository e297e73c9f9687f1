"""J6: one job never has two live runs, however often it is delivered."""

import asyncio

import pytest

from reflector import jobs
from reflector.db import Job, JobState
from reflector.worker.execute import run_job

RUNS: list[str] = []


async def slow(runtime, args) -> None:
    RUNS.append("start")
    await asyncio.sleep(0.3)
    RUNS.append("end")


SLOW = jobs.JobSpec("tests.slow", slow)


async def test_concurrent_deliveries_run_a_job_once(runtime):
    RUNS.clear()
    async with runtime.db.write() as session:
        job_id = await jobs.enqueue(session, SLOW, {}, runtime.clock())
    outcomes = await asyncio.gather(
        *(run_job(runtime, SLOW, job_id, f"worker-{i}") for i in range(10))
    )
    assert (outcomes.count(JobState.DONE), outcomes.count(None)) == (1, 9)
    assert RUNS == ["start", "end"]
    again = await run_job(runtime, SLOW, job_id, "late-redelivery")
    assert again is None
    async with runtime.db.read() as session:
        done = await session.get_one(Job, job_id)
    assert (done.state, done.attempts, done.lease_owner) == (JobState.DONE, 1, None)


async def test_committing_a_job_wakes_the_relay_and_a_rollback_does_not(runtime):
    wake = runtime.db.jobs_committed
    wake.clear()

    async def enqueue_then_fail() -> None:
        async with runtime.db.write() as session:
            await jobs.enqueue(session, SLOW, {}, runtime.clock())
            raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        await enqueue_then_fail()
    assert not wake.is_set()
    async with runtime.db.write() as session:
        await jobs.enqueue(session, SLOW, {}, runtime.clock())
    assert wake.is_set()
