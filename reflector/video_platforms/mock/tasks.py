"""The mock platform's periodic work: reconciling sessions with its sessions API."""

from reflector.jobs import JobContext, PeriodicSpec
from reflector.reconcile import reconcile_sessions
from reflector.video_platforms.mock.events import PLATFORM

RECONCILE_EVERY_SECONDS = 60.0


async def reconcile(ctx: JobContext) -> None:
    await reconcile_sessions(ctx, PLATFORM)


PERIODIC = (PeriodicSpec("mock.reconcile_sessions", RECONCILE_EVERY_SECONDS, reconcile),)
