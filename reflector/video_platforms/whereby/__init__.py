"""Whereby (Embedded): meetings with host links, the logo, session insights, signed webhooks,
cloud recordings in our bucket (docs/platforms/whereby.md)."""

from pathlib import Path

from reflector.video_platforms.spec import Embed, EmbedSources, PlatformSpec, WebhookRoute
from reflector.video_platforms.whereby.client import WherebyClient
from reflector.video_platforms.whereby.events import PLATFORM as SLUG
from reflector.video_platforms.whereby.settings import WherebySettings
from reflector.video_platforms.whereby.tasks import PERIODIC

EMBED_SCRIPT = "https://cdn.srv.whereby.com/embed/v3-embed.js"

# <whereby-embed> is a web component from Whereby's CDN: `v3-embed.js` is the bundle the
# current @whereby.com/browser-sdk (3.x) publishes there, a classic script (docs/platforms/
# whereby.md). Its shadow root may be styled with an inline <style>, which `style-src 'self'`
# would block (unconfirmed: Whereby does not document its CSP needs).
EMBED = Embed(
    script=Path(__file__).with_name("embed.js"),
    sources=lambda _settings: EmbedSources(
        scripts=(EMBED_SCRIPT,),
        frames=("https://*.whereby.com",),
        styles=("'unsafe-inline'",),
    ),
)

PLATFORM = PlatformSpec(
    slug=SLUG,
    title="Whereby",
    settings=WherebySettings,
    client=WherebyClient,
    webhooks=(
        WebhookRoute(
            "",
            'Signed `Whereby-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with '
            "the dashboard's secret. Answered 2xx for every authentic event: Whereby drops "
            "what gets a 4xx.",
        ),
    ),
    periodic=PERIODIC,
    embed=EMBED,
)

__all__ = ["PLATFORM", "WherebyClient", "WherebySettings"]
