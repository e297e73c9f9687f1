"""The worker the worker tests start: the registry's platforms plus the test-job platform."""

import sys

from reflector.config.loading import load_config
from reflector.video_platforms.registry import PLATFORMS
from reflector.worker.processes import run_worker
from tests.worker_jobs import JOBS_PLATFORM

if __name__ == "__main__":
    specs = [*PLATFORMS, JOBS_PLATFORM]
    config = load_config(specs)
    beat = "--beat" in sys.argv
    run_worker(config, specs, beat=beat, concurrency=config.settings.WORKER_CONCURRENCY)
