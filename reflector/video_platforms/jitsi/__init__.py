"""Jitsi Meet: per-user JWT rooms, Prosody event sync, Jibri recordings."""

from reflector.video_platforms.jitsi.client import JitsiClient
from reflector.video_platforms.jitsi.events import PLATFORM as SLUG
from reflector.video_platforms.jitsi.settings import JitsiSettings
from reflector.video_platforms.jitsi.tasks import IMPORT_RECORDING, PERIODIC
from reflector.video_platforms.jitsi.webhooks import SIGNATURE_HEADER, router
from reflector.video_platforms.spec import PlatformSpec

PLATFORM = PlatformSpec(
    slug=SLUG,
    settings=JitsiSettings,
    client=JitsiClient,
    router=router,
    jobs=(IMPORT_RECORDING,),
    periodic=PERIODIC,
)

__all__ = ["PLATFORM", "SIGNATURE_HEADER", "JitsiClient", "JitsiSettings"]
