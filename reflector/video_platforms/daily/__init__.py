"""Daily.co: private rooms, per-user meeting tokens, signed webhooks, cloud and raw-track
recordings (docs/platforms/daily.md)."""

from pathlib import Path

from reflector.video_platforms.daily.client import DailyClient
from reflector.video_platforms.daily.commands import commands
from reflector.video_platforms.daily.events import PLATFORM as SLUG
from reflector.video_platforms.daily.settings import DailySettings
from reflector.video_platforms.daily.tasks import PERIODIC
from reflector.video_platforms.spec import Embed, EmbedSources, PlatformSpec, WebhookRoute

# Daily Prebuilt runs in a frame from the rooms' domain; daily-js is published on unpkg,
# where Daily's documentation loads it from.
EMBED = Embed(
    script=Path(__file__).with_name("embed.js"),
    sources=lambda _settings: EmbedSources(
        scripts=("https://unpkg.com/@daily-co/daily-js",),
        frames=("https://*.daily.co",),
        connections=("https://*.daily.co", "wss://*.daily.co"),
    ),
)

PLATFORM = PlatformSpec(
    slug=SLUG,
    title="Daily",
    settings=DailySettings,
    client=DailyClient,
    webhooks=(
        WebhookRoute(
            "/webhook",
            'Signed `X-Webhook-Signature` over "<X-Webhook-Timestamp>.<body>". Answered 200 '
            "for every authentic body, the endpoint check Daily sends when a webhook is "
            "created included.",
        ),
    ),
    periodic=PERIODIC,
    embed=EMBED,
    commands=commands,
    # Daily's presence API answers in a moment: who is in is corrected within 30 s.
    reconcile_every_seconds=30.0,
)

__all__ = ["PLATFORM", "DailyClient", "DailySettings"]
