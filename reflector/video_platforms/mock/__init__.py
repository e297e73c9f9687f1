"""The built-in mock platform: for the test suite and local development."""

from pathlib import Path

from reflector.video_platforms.mock import meeting_page, webhooks
from reflector.video_platforms.mock.client import MockClient
from reflector.video_platforms.mock.commands import commands
from reflector.video_platforms.mock.events import PLATFORM as SLUG
from reflector.video_platforms.mock.settings import MockSettings
from reflector.video_platforms.mock.tasks import PERIODIC
from reflector.video_platforms.spec import Embed, EmbedSources, PlatformSpec, origin

# The meeting page is this service's own (`meeting_page.py`) unless MOCK_BASE_URL names
# another origin.
EMBED = Embed(
    script=Path(__file__).with_name("embed.js"),
    sources=lambda settings: EmbedSources(frames=("'self'", origin(str(settings.base_url)))),
)

PLATFORM = PlatformSpec(
    slug=SLUG,
    title="Mock",
    settings=MockSettings,
    client=MockClient,
    router=webhooks.router,
    pages=meeting_page.router,
    periodic=PERIODIC,
    commands=commands,
    embed=EMBED,
)

__all__ = ["PLATFORM", "MockClient", "MockSettings"]
