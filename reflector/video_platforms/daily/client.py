"""Daily.co: a private room per meeting, a meeting token per user, presence as the sessions
API, recordings started by the server and announced by webhooks (docs/platforms/daily.md)."""

import base64
import contextlib
import hashlib
import hmac
import json
import re
import secrets
import uuid
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import quote

from reflector.db import Meeting, Room
from reflector.db.kinds import RecordingType
from reflector.inbox.actions import InboundEvent
from reflector.video_platforms.base import (
    Capability,
    JoinUser,
    MeetingData,
    PlatformContext,
    Role,
    SessionData,
    VideoPlatformClient,
)
from reflector.video_platforms.daily.api import (
    DailyAPI,
    RecordingsBucket,
    RoomProperties,
    RoomRequest,
    TokenProperties,
)
from reflector.video_platforms.daily.events import PLATFORM, Translator
from reflector.video_platforms.daily.settings import DailySettings
from reflector.video_platforms.errors import PlatformRequestError, PlatformUnavailable, RoomNotFound
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from reflector.video_platforms.signatures import parse_unix_timestamp, within_window
from reflector.video_platforms.vendor_api import VendorAPI

_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_-]+")
# Room names: [A-Za-z0-9_-], and short: older docs cap domain plus name at 41
# (docs/platforms/daily.md#room-names).
_PREFIX_LENGTH = 20
TOKEN_LIFETIME = timedelta(hours=24)
# Milliseconds have 13 digits for centuries; anything past year 5138 in seconds is milliseconds.
_TIMESTAMP_DIGITS = 16
_LATEST_SECONDS = 10**11
# Daily's user_id holds at most 36 characters (docs/platforms/daily.md#meeting-tokens); longer ids
# are hashed to fit.
_USER_ID_LENGTH = 36
# Recording instance ids are derived from the meeting's id in this namespace; Daily's own
# default instance id is reserved (docs/platforms/daily.md#starting-cloud-recordings).
_INSTANCES = uuid.UUID("8f7d54a2-3c4e-5b6f-9a0b-1c2d3e4f5a6b")


def room_name_for(prefix: str) -> str:
    stem = _NOT_IN_NAME.sub("-", prefix).strip("-_")[:_PREFIX_LENGTH].strip("-_")
    return f"{stem or 'room'}-{secrets.token_hex(6)}"


class DailyClient(VideoPlatformClient[DailySettings]):
    CAPABILITIES = frozenset(
        {
            Capability.PER_USER_TOKENS,
            Capability.SESSIONS_API,
            Capability.CLOUD_RECORDING,
            Capability.RAW_TRACKS,
            Capability.SERVER_RECORDING,
        }
    )
    SIGNATURE_HEADER = "X-Webhook-Signature"
    TIMESTAMP_HEADER = "X-Webhook-Timestamp"

    def __init__(self, slug: str, settings: DailySettings, context: PlatformContext) -> None:
        super().__init__(slug, settings, context)
        http = VendorAPI(PLATFORM, str(settings.api_url), settings.api_key, context.http_transport)
        self.api = DailyAPI(http)
        self.translator = Translator(settings.s3_bucket)

    @classmethod
    def capabilities_with(cls, settings: VideoPlatformConfig) -> frozenset[Capability]:
        """Raw tracks only with our own bucket and the role Daily writes it with."""
        if isinstance(settings, DailySettings) and not settings.raw_tracks:
            return cls.CAPABILITIES - {Capability.RAW_TRACKS}
        return cls.CAPABILITIES

    async def aclose(self) -> None:
        await self.api.http.aclose()

    async def create_meeting(self, room: Room, end_date: datetime) -> MeetingData:
        request = RoomRequest(
            name=room_name_for(room.name),
            properties=RoomProperties(
                exp=int(end_date.timestamp()),
                enable_recording=_recording_mode(room),
                recordings_bucket=self._bucket(),
            ),
        )
        try:
            created = await self.api.create_room(request)
        except PlatformRequestError as exc:
            if "already exists" not in exc.message:
                raise
            # A retried create whose first answer was lost (docs/platforms/daily.md#rooms: 400, not
            # 409).
            created = await self.api.get_room(request.name)
        return MeetingData(
            meeting_id=created.id or created.name,
            room_name=created.name,
            room_url=created.url,
            host_room_url=created.url,
            extra_data={"exp": request.properties.exp},
        )

    def _bucket(self) -> RecordingsBucket | None:
        settings = self.settings
        if not (settings.s3_bucket and settings.role_arn):
            return None
        return RecordingsBucket(
            bucket_name=settings.s3_bucket,
            bucket_region=settings.s3_region,
            assume_role_arn=settings.role_arn,
        )

    async def get_room_sessions(self, room_name: str) -> list[SessionData]:
        """Who is in the room now (presence lags up to 15 s, docs/platforms/daily.md#presence)."""
        try:
            present = await self.api.presence(room_name)
        except RoomNotFound:
            return []
        return [
            SessionData(
                participant_id=seen.id,
                user_id=seen.user_id,
                user_name=seen.user_name,
                joined_at=seen.join_time,
            )
            for seen in present
        ]

    async def delete_meeting(self, meeting: Meeting) -> None:
        # Already gone counts as deleted (docs/platforms/daily.md#rooms).
        with contextlib.suppress(RoomNotFound):
            await self.api.delete_room(meeting.platform_room_name)

    async def start_recording(self, meeting: Meeting) -> None:
        """A cloud recording, and with our bucket an audio-only raw-tracks one, each with its
        own instance id derived from the meeting
        (docs/platforms/daily.md#starting-cloud-recordings)."""
        starts: list[dict[str, object]] = [
            {"type": "cloud", "instanceId": str(uuid.uuid5(_INSTANCES, f"cloud:{meeting.id}"))}
        ]
        if self.settings.raw_tracks:
            starts.append(
                {
                    "type": "raw-tracks",
                    "instanceId": str(uuid.uuid5(_INSTANCES, f"raw-tracks:{meeting.id}")),
                    "layout": {"preset": "raw-tracks-audio-only"},
                }
            )
        for body in starts:
            try:
                await self.api.start_recording(meeting.platform_room_name, body)
            except RoomNotFound as exc:
                if "hosting a call" in exc.message:  # not live yet right after the first join
                    raise PlatformUnavailable(PLATFORM, exc.message) from exc
                raise
            except PlatformRequestError as exc:
                if "active stream" not in exc.message:  # already recording: started
                    raise

    async def recording_link(self, platform_recording_id: str) -> str:
        return await self.api.access_link(platform_recording_id)

    def verify_webhook_signature(
        self, body: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """Base64 HMAC-SHA256 of "<timestamp header, verbatim>.<raw body>", keyed with the
        base64-decoded secret (docs/platforms/daily.md#webhook-signature), within five minutes; the
        unit of the timestamp is not documented, so seconds and milliseconds are both read."""
        if timestamp is None or not self._fresh(timestamp):
            return False
        signed = timestamp.encode() + b"." + body
        given = signature.strip().encode("ascii", "replace")
        keys = map(self.settings.webhook_key, self.settings.webhook_secrets(self.context.clock()))
        digests = [base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()) for key in keys]
        return any([hmac.compare_digest(digest, given) for digest in digests])

    def _fresh(self, timestamp: str) -> bool:
        value = parse_unix_timestamp(timestamp, max_digits=_TIMESTAMP_DIGITS)
        if value is None:
            return False
        seconds = value / 1000 if value > _LATEST_SECONDS else value
        return within_window(seconds, self.context.clock().timestamp())

    def is_endpoint_check(self, body: bytes) -> bool:
        """Daily's check when a webhook is created: an object with `test` and no `type`."""
        try:
            data = json.loads(body)
        except ValueError:
            return False
        return isinstance(data, dict) and "test" in data and "type" not in data

    def translate(self, body: bytes) -> InboundEvent:
        return self.translator(body)

    async def join_url(self, meeting: Meeting, user: JoinUser, role: Role) -> str:
        """A meeting token for this user; the owner's makes them the meeting's owner
        (docs/platforms/daily.md#meeting-tokens)."""
        expires = min(
            meeting.end_date + timedelta(minutes=15), self.context.clock() + TOKEN_LIFETIME
        )
        token = await self.api.create_token(
            TokenProperties(
                room_name=meeting.platform_room_name,
                user_id=_daily_user_id(user.id),
                user_name=user.id,
                is_owner=role is Role.HOST,
                exp=int(expires.timestamp()),
            )
        )
        return f"{meeting.room_url}?t={quote(token, safe='')}"


def _recording_mode(room: Room) -> Literal["local"] | None:
    # Cloud recordings are started through the API
    # (docs/platforms/daily.md#starting-cloud-recordings); local ones by the browser.
    return "local" if room.recording_type == RecordingType.LOCAL else None


def _daily_user_id(user_id: str) -> str:
    if len(user_id) <= _USER_ID_LENGTH:
        return user_id
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"reflector:user:{user_id}"))
