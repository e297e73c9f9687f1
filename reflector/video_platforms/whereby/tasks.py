"""Whereby's periodic work: the bucket's notifications read often, the bucket rescanned
seldom (docs/platforms/whereby.md#cloud-recordings-in-our-bucket). The webhook is the fast way in;
these are the others."""

from reflector.jobs import JobContext, PeriodicSpec
from reflector.video_platforms.whereby.bucket import read_notifications, rescan

READ_NOTIFICATIONS_EVERY_SECONDS = 30.0
RESCAN_EVERY_SECONDS = 900.0


async def _read_notifications(ctx: JobContext) -> None:
    await read_notifications(ctx)


async def _rescan(ctx: JobContext) -> None:
    await rescan(ctx)


PERIODIC = (
    PeriodicSpec(
        "whereby.read_recording_notifications",
        READ_NOTIFICATIONS_EVERY_SECONDS,
        _read_notifications,
    ),
    PeriodicSpec("whereby.rescan_bucket", RESCAN_EVERY_SECONDS, _rescan),
)
