"""Jitsi Meet: rooms are names, access is a per-user token, and Prosody pushes what happens."""

import hmac
import json
import re
import secrets
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import quote

import httpx

from reflector import USER_AGENT
from reflector.db import Meeting, Room
from reflector.db.kinds import RecordingType
from reflector.inbox.actions import InboundEvent
from reflector.video_platforms.base import (
    Capability,
    JoinUser,
    MeetingData,
    PlatformContext,
    Role,
    VideoPlatformClient,
)
from reflector.video_platforms.errors import PlatformNotConfigured, PlatformUnavailable
from reflector.video_platforms.jitsi.events import PLATFORM, Translator, meeting_room_name
from reflector.video_platforms.jitsi.settings import JitsiSettings
from reflector.video_platforms.jitsi.tokens import TokenUser, room_token
from reflector.video_platforms.platform_settings import VideoPlatformConfig

CENSUS_TIMEOUT = httpx.Timeout(10.0)
_NOT_IN_NAME = re.compile(r"[^a-z0-9]+")
_PREFIX_LENGTH = 40


def room_name_for(prefix: str) -> str:
    """A fresh room name from `[a-z0-9-]` only, so the token's `room` claim equals the JID node
    Jitsi derives from the URL (docs/platforms/jitsi.md#room-names). The random part is the only
    thing keeping strangers out of a tokenless room, so it is long."""
    stem = _NOT_IN_NAME.sub("-", prefix.lower()).strip("-")[:_PREFIX_LENGTH].strip("-")
    suffix = secrets.token_hex(8)
    return f"{stem}-{suffix}" if stem else f"room-{suffix}"


def census_rooms(census: Any) -> set[str]:
    """Our room names in a census: `{"room_census": [{"room_name": "<node>@<muc>", ...}]}`.

    With no rooms open Prosody answers `{"room_census": {}}`: Lua's JSON encoder cannot tell
    an empty array from an empty object.
    """
    entries = census.get("room_census") if isinstance(census, dict) else census
    if entries == {}:
        return set()
    if not isinstance(entries, list):
        raise ValueError("no room_census list")
    names = (entry.get("room_name") for entry in entries if isinstance(entry, dict))
    return {meeting_room_name(name.partition("@")[0]) for name in names if isinstance(name, str)}


class JitsiClient(VideoPlatformClient[JitsiSettings]):
    # No sessions API: who is in comes from Prosody's events, and the room census
    # (`tasks.reconcile_with_census`) closes the rooms whose last events were lost.
    CAPABILITIES = frozenset({Capability.PER_USER_TOKENS, Capability.CLOUD_RECORDING})
    # Prosody's event sync signs nothing: it sends a static bearer token
    # (docs/platforms/jitsi.md#event-sync).
    SIGNATURE_HEADER = "Authorization"

    @classmethod
    def capabilities_with(cls, settings: VideoPlatformConfig) -> frozenset[Capability]:
        """Without a signing key, links carry no token (the public meet.jit.si); without the
        webhook secret, which finalize.sh signs with, no Jibri recording reaches us."""
        if not isinstance(settings, JitsiSettings):
            return cls.CAPABILITIES
        missing = set()
        if settings.signing_algorithm is None:
            missing.add(Capability.PER_USER_TOKENS)
        if settings.webhook_secret is None:
            missing.add(Capability.CLOUD_RECORDING)
        return cls.CAPABILITIES - missing

    def __init__(self, slug: str, settings: JitsiSettings, context: PlatformContext) -> None:
        super().__init__(slug, settings, context)
        self.translator = Translator(settings.hidden_domain)

    async def create_meeting(self, room: Room, end_date: datetime) -> MeetingData:
        name = room_name_for(room.name)
        # Links carry no token: each user gets their own from `join_url`.
        url = f"{self.settings.base_url}/{name}"
        return MeetingData(
            meeting_id=str(uuid.uuid4()),
            room_name=name,
            room_url=url,
            host_room_url=url,
            extra_data={
                "cloud_recording": room.recording_type == RecordingType.CLOUD
                and self.has(Capability.CLOUD_RECORDING)
            },
        )

    async def open_rooms(self) -> set[str]:
        """The rooms Prosody has open now, from mod_muc_census's `GET /room-census`
        (docs/platforms/jitsi.md#event-sync)."""
        if self.settings.api_url is None:
            raise PlatformNotConfigured(PLATFORM, "JITSI_API_URL is not set")
        url = f"{str(self.settings.api_url).rstrip('/')}/room-census"
        try:
            async with httpx.AsyncClient(
                transport=self.context.http_transport,
                timeout=CENSUS_TIMEOUT,
                headers={"User-Agent": USER_AGENT},
            ) as http:
                response = await http.get(url)
        except httpx.HTTPError as exc:
            raise PlatformUnavailable(PLATFORM, f"room census: {exc}") from exc
        if response.status_code != 200:
            raise PlatformUnavailable(PLATFORM, f"room census: HTTP {response.status_code}")
        try:
            return census_rooms(response.json())
        except ValueError as exc:
            raise PlatformUnavailable(PLATFORM, f"room census unreadable: {exc}") from exc

    async def delete_meeting(self, meeting: Meeting) -> None:
        """A Jitsi room exists only while people are in it; ending the meeting is ours."""

    def verify_webhook_signature(
        self, body: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """The bearer is one of the webhook secrets; every one is compared (constant time)."""
        given = signature.strip().encode("utf-8", "replace")
        accepted = self.settings.webhook_secrets(self.context.clock())
        matches = [
            hmac.compare_digest(f"Bearer {secret.get_secret_value()}".encode(), given)
            for secret in accepted
        ]
        return any(matches)

    def translate(self, body: bytes) -> InboundEvent:
        return self.translator(body)

    async def join_url(self, meeting: Meeting, user: JoinUser, role: Role) -> str:
        moderator = role is Role.HOST
        token = room_token(
            self.settings,
            meeting.platform_room_name,
            TokenUser(id=user.id, name=user.id, moderator=moderator),
            now=self.context.clock(),
            meeting_end=meeting.end_date,
            recording=bool(meeting.provider_data.get("cloud_recording")),
        )
        if token is None:
            return _with_display_name(meeting.room_url, user.chosen_name)
        return f"{meeting.room_url}?jwt={quote(token, safe='')}"


def _with_display_name(url: str, name: str | None) -> str:
    """Without a token, the name goes in the fragment, JSON-encoded, as Jitsi's web app reads
    its config overrides (`#userInfo.displayName="Ann"`); it never reaches the server."""
    if not name:
        return url
    return f"{url}#userInfo.displayName={quote(json.dumps(name, ensure_ascii=False), safe='')}"
