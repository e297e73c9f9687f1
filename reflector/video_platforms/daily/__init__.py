"""Daily.co: private rooms, per-user meeting tokens, signed webhooks, cloud and raw-track
recordings (contracts/daily.md)."""

from reflector.video_platforms.daily.client import DailyClient
from reflector.video_platforms.daily.commands import commands
from reflector.video_platforms.daily.events import PLATFORM as SLUG
from reflector.video_platforms.daily.settings import DailySettings
from reflector.video_platforms.daily.tasks import PERIODIC
from reflector.video_platforms.daily.webhooks import router
from reflector.video_platforms.spec import PlatformSpec

PLATFORM = PlatformSpec(
    slug=SLUG,
    settings=DailySettings,
    client=DailyClient,
    router=router,
    periodic=PERIODIC,
    commands=commands,
)

__all__ = ["PLATFORM", "DailyClient", "DailySettings"]
