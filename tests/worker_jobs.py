"""Jobs for the worker tests, on a test-double platform under its own slug (`jobs`).

Each run appends lines to a file, so a test can count starts and completions across
processes, including ones that were killed.
"""

import asyncio
import os
import time
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from reflector.jobs import JobArgs, JobSpec, PermanentJobError, TransientJobError
from reflector.runtime import Runtime
from reflector.video_platforms.mock import MockClient, MockSettings
from reflector.video_platforms.spec import PlatformSpec


def note(args: JobArgs, line: str) -> None:
    with Path(args["path"]).open("a") as log:
        log.write(f"{line}\n")


def starts(args: JobArgs) -> int:
    return Path(args["path"]).read_text().count(f"start {args['label']} ")


async def record(runtime: Runtime, args: JobArgs) -> None:
    note(args, f"start {args['label']} {os.getpid()} {time.time()}")
    await asyncio.sleep(float(args.get("sleep", 0)))
    note(args, f"end {args['label']}")


async def poison(runtime: Runtime, args: JobArgs) -> None:
    note(args, f"start {args['label']} {os.getpid()}")
    os._exit(1)


async def flaky(runtime: Runtime, args: JobArgs) -> None:
    note(args, f"start {args['label']} {os.getpid()}")
    if starts(args) <= int(args["fail_times"]):
        raise TransientJobError("the service is busy", retry_after=0.1)
    note(args, f"end {args['label']}")


async def broken(runtime: Runtime, args: JobArgs) -> None:
    note(args, f"start {args['label']} {os.getpid()}")
    raise PermanentJobError("this input can never work")


RECORD = JobSpec("tests.record", record, soft_time_limit=20, time_limit=30)
POISON = JobSpec("tests.poison", poison)
FLAKY = JobSpec("tests.flaky", flaky, max_attempts=8)
BROKEN = JobSpec("tests.broken", broken)


class JobsSettings(MockSettings):
    model_config = SettingsConfigDict(env_prefix="JOBS_", frozen=True)


class JobsClient(MockClient):
    """The mock's client under a slug of its own."""


JOBS_PLATFORM = PlatformSpec(
    slug="jobs",
    title="Jobs",
    settings=JobsSettings,
    client=JobsClient,
    jobs=(RECORD, POISON, FLAKY, BROKEN),
)
