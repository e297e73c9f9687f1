"""Jitsi Meet: per-user JWT rooms, Prosody event sync, Jibri recordings."""

from pathlib import Path

from reflector.video_platforms.jitsi.client import JitsiClient
from reflector.video_platforms.jitsi.events import PLATFORM as SLUG
from reflector.video_platforms.jitsi.settings import JitsiSettings
from reflector.video_platforms.jitsi.tasks import IMPORT_RECORDING, PERIODIC
from reflector.video_platforms.jitsi.webhooks import SIGNATURE_HEADER, router
from reflector.video_platforms.spec import (
    Embed,
    EmbedSources,
    PlatformSpec,
    WebhookRoute,
    origin,
)


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
    # Prosody's event sync, with `api_prefix` = `<base>/v1/jitsi`.
    webhooks=(
        WebhookRoute("/events/room/created", "`muc-room-created`."),
        WebhookRoute(
            "/events/room/destroyed",
            "`muc-room-destroyed`: the meeting ends, and every occupant listed has left.",
        ),
        WebhookRoute(
            "/events/occupant/joined",
            "`muc-occupant-joined`, in the main room or one of its breakout rooms.",
        ),
        WebhookRoute(
            "/events/occupant/left",
            "`muc-occupant-left`, in the main room or one of its breakout rooms.",
        ),
    ),
    router=router,
    jobs=(IMPORT_RECORDING,),
    periodic=PERIODIC,
    embed=EMBED,
)

__all__ = ["PLATFORM", "SIGNATURE_HEADER", "JitsiClient", "JitsiSettings"]
