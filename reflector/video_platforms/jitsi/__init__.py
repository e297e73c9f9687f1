"""Jitsi Meet: per-user JWT rooms, Prosody event sync, Jibri recordings."""

from pathlib import Path

from reflector.video_platforms.jitsi.client import JitsiClient
from reflector.video_platforms.jitsi.events import PLATFORM as SLUG
from reflector.video_platforms.jitsi.settings import JitsiSettings
from reflector.video_platforms.jitsi.tasks import IMPORT_RECORDING, PERIODIC
from reflector.video_platforms.jitsi.webhooks import SIGNATURE_HEADER, router
from reflector.video_platforms.spec import Embed, EmbedSources, PlatformSpec, origin


def _embed_sources(settings: JitsiSettings) -> EmbedSources:
    return EmbedSources(
        scripts=(f"{origin(settings.base_url)}/external_api.js",),
        frames=(origin(settings.base_url),),
    )


EMBED = Embed(script=Path(__file__).with_name("embed.js"), sources=_embed_sources)

PLATFORM = PlatformSpec(
    slug=SLUG,
    title="Jitsi Meet",
    settings=JitsiSettings,
    client=JitsiClient,
    router=router,
    jobs=(IMPORT_RECORDING,),
    periodic=PERIODIC,
    embed=EMBED,
)

__all__ = ["PLATFORM", "SIGNATURE_HEADER", "JitsiClient", "JitsiSettings"]
