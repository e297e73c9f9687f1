"""Huddle, a fifth platform that ships nowhere: the proof that a platform is its own folder and
one registry line. Everything it is lives here; `REGISTRY` is that line."""

from reflector.video_platforms.registry import PLATFORMS
from reflector.video_platforms.spec import PlatformSpec, WebhookRoute
from tests.huddle.client import HuddleClient
from tests.huddle.settings import HuddleSettings

PLATFORM = PlatformSpec(
    slug="huddle",
    title="Huddle",
    settings=HuddleSettings,
    client=HuddleClient,
    webhooks=(WebhookRoute("/webhook", "Huddle's participant events, signed t=,v1=."),),
)

REGISTRY = (*PLATFORMS, PLATFORM)
