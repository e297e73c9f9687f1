"""Whereby (Embedded): a transient room per meeting with a host link for the owner, the
configured logo on each room, sessions from its insights API, webhooks signed
`Whereby-Signature`, cloud recordings written to our bucket (docs/platforms/whereby.md)."""

import json
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import cast

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
from reflector.video_platforms.errors import PlatformError, PlatformUnavailable
from reflector.video_platforms.logos import logo_part
from reflector.video_platforms.platform_settings import VideoPlatformConfig, encoded
from reflector.video_platforms.signatures import verify_t_v1
from reflector.video_platforms.vendor_api import VendorAPI
from reflector.video_platforms.whereby.api import (
    MeetingRequest,
    RecordingRequest,
    S3Destination,
    StartTrigger,
    WherebyAPI,
)
from reflector.video_platforms.whereby.events import PLATFORM, RECORDER_ROLE, Translator
from reflector.video_platforms.whereby.settings import WherebySettings

logger = logging.getLogger(__name__)
_NOT_IN_PREFIX = re.compile(r"[^a-z0-9-]+")
# Prefixes hold at most 39 characters, our own "-" included
# (docs/platforms/whereby.md#room-name-prefixes).
_PREFIX_LENGTH = 38


def prefix_for(name: str) -> str:
    """Whereby's prefix for rooms of `name`: lowercase letters, digits and "-"
    (docs/platforms/whereby.md#room-name-prefixes)."""
    stem = _NOT_IN_PREFIX.sub("-", name.lower()).strip("-")[:_PREFIX_LENGTH].strip("-")
    return f"{stem or 'room'}-"


class WherebyClient(VideoPlatformClient[WherebySettings]):
    CAPABILITIES = frozenset({Capability.SESSIONS_API, Capability.LOGO, Capability.CLOUD_RECORDING})
    SIGNATURE_HEADER = "Whereby-Signature"

    def __init__(self, slug: str, settings: WherebySettings, context: PlatformContext) -> None:
        super().__init__(slug, settings, context)
        http = VendorAPI(PLATFORM, str(settings.api_url), settings.api_key, context.http_transport)
        self.api = WherebyAPI(http)
        self.translator = Translator(settings.bucket_name, settings.bucket_folder)

    @classmethod
    def capabilities_with(cls, settings: VideoPlatformConfig) -> frozenset[Capability]:
        """Cloud recordings only with our bucket and the keys Whereby writes it with."""
        if isinstance(settings, WherebySettings) and not settings.cloud_recording:
            return cls.CAPABILITIES - {Capability.CLOUD_RECORDING}
        return cls.CAPABILITIES

    async def aclose(self) -> None:
        await self.api.http.aclose()

    async def create_meeting(self, room: Room, end_date: datetime) -> MeetingData:
        request = MeetingRequest(
            endDate=end_date.isoformat(),
            isLocked=bool(room.is_locked),
            roomMode="group" if room.room_mode == "group" else "normal",
            roomNamePrefix=prefix_for(room.name),
            recording=self._recording(room),
        )
        created = await self.api.create_meeting(request)
        if not created.hostRoomUrl:
            raise PlatformUnavailable(PLATFORM, "POST /meetings: the answer has no hostRoomUrl")
        if self.settings.logo_path is not None:
            await self._brand(created.roomName, self.settings.logo_path)
        return MeetingData(
            meeting_id=created.meetingId,
            room_name=created.roomName,
            room_url=created.roomUrl,
            host_room_url=created.hostRoomUrl,
            extra_data={"end_date": request.endDate},
        )

    def _recording(self, room: Room) -> RecordingRequest | None:
        bucket, key_id, secret = (
            self.settings.s3_bucket,
            self.settings.access_key_id,
            self.settings.access_key_secret,
        )
        if room.recording_type != RecordingType.CLOUD or not (bucket and key_id and secret):
            return None
        return RecordingRequest(
            destination=S3Destination(
                bucket=bucket,
                accessKeyId=key_id.get_secret_value(),
                accessKeySecret=secret.get_secret_value(),
            ),
            startTrigger=cast(StartTrigger, room.recording_trigger),
        )

    async def _brand(self, room_name: str, logo: Path) -> None:
        """The configured logo on the new room; a meeting without it is still a meeting."""
        try:
            uploaded = await self.upload_logo(room_name, str(logo))
        except PlatformError as exc:
            logger.warning("whereby: the logo was not uploaded to %s: %s", room_name, exc)
            return
        if not uploaded:
            logger.warning("whereby: WHEREBY_LOGO_PATH %s cannot be read", logo)

    async def get_room_sessions(self, room_name: str) -> list[SessionData]:
        """Every participant of every session of the room, from the insights API
        (docs/platforms/whereby.md#room-sessions-insights)."""
        sessions = []
        async for room_session in self.api.room_sessions(room_name):
            async for seen in self.api.participants(room_session.roomSessionId):
                sessions.append(
                    SessionData(
                        participant_id=seen.participantId,
                        user_id=seen.externalId,
                        user_name=seen.displayName,
                        joined_at=seen.joinedAt,
                        left_at=seen.leftAt,
                        is_recorder=seen.roleName == RECORDER_ROLE,
                    )
                )
        return sessions

    async def delete_meeting(self, meeting: Meeting) -> None:
        """Whereby deletes meetings by id (docs/platforms/whereby.md#deleting-meetings)."""
        await self.api.delete_meeting(meeting.platform_meeting_id)

    async def upload_logo(self, room_name: str, logo_path: str) -> bool:
        image = await logo_part(logo_path)
        if image is None:
            return False
        await self.api.upload_logo(room_name, image)
        return True

    def verify_webhook_signature(
        self, body: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with the secret as is,
        within five minutes either way (docs/platforms/whereby.md#webhook-signature). The raw bytes
        first; then the compact re-serialisation the docs' sample signs, in case a body was
        re-encoded in transit."""
        now = self.context.clock()
        secrets = encoded(self.settings.webhook_secrets(now))
        if verify_t_v1(body, signature, secrets, now.timestamp()):
            return True
        compact = _compact(body)
        return compact is not None and verify_t_v1(compact, signature, secrets, now.timestamp())

    def translate(self, body: bytes) -> InboundEvent:
        return self.translator(body)

    async def join_url(self, meeting: Meeting, user: JoinUser, role: Role) -> str:
        """The owner gets the host link (it holds a roomKey, docs/platforms/whereby.md#host-links);
        everyone else the room's."""
        return meeting.host_room_url if role is Role.HOST else meeting.room_url


def _compact(body: bytes) -> bytes | None:
    """`JSON.stringify(JSON.parse(body))`: no spaces, non-ASCII kept as is."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    compact = json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode()
    return None if compact == body else compact
