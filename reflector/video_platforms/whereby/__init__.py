"""Whereby (Embedded): meetings with host links, the logo, session insights, signed webhooks,
cloud recordings in our bucket (contracts/whereby.md)."""

from reflector.video_platforms.spec import PlatformSpec
from reflector.video_platforms.whereby.client import WherebyClient
from reflector.video_platforms.whereby.events import PLATFORM as SLUG
from reflector.video_platforms.whereby.settings import WherebySettings
from reflector.video_platforms.whereby.tasks import PERIODIC
from reflector.video_platforms.whereby.webhooks import router

PLATFORM = PlatformSpec(
    slug=SLUG,
    settings=WherebySettings,
    client=WherebyClient,
    router=router,
    periodic=PERIODIC,
)

__all__ = ["PLATFORM", "WherebyClient", "WherebySettings"]
