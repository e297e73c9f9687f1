"""The built-in mock platform: for the test suite and local development."""

from reflector.video_platforms.mock.client import MockClient
from reflector.video_platforms.mock.commands import commands
from reflector.video_platforms.mock.events import PLATFORM as SLUG
from reflector.video_platforms.mock.settings import MockSettings
from reflector.video_platforms.mock.tasks import PERIODIC, remove_expired
from reflector.video_platforms.mock.webhooks import router
from reflector.video_platforms.spec import PlatformSpec

PLATFORM = PlatformSpec(
    slug=SLUG,
    settings=MockSettings,
    client=MockClient,
    router=router,
    periodic=PERIODIC,
    commands=commands,
    remove_expired=remove_expired,
)

__all__ = ["PLATFORM", "MockClient", "MockSettings"]
