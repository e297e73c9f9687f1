"""The mock platform's periodic work: reconciling sessions with its sessions API."""

from reflector.jobs import PeriodicSpec
from reflector.reconcile import reconcile_sessions
from reflector.runtime import Runtime
from reflector.video_platforms.mock.events import PLATFORM

RECONCILE_EVERY_SECONDS = 60.0


async def reconcile(runtime: Runtime) -> None:
    await reconcile_sessions(runtime, PLATFORM)


PERIODIC = (PeriodicSpec("mock.reconcile_sessions", RECONCILE_EVERY_SECONDS, reconcile),)
