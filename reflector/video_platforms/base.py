"""The interface every video platform implements, and the data it exchanges with the core."""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Generic, Self, TypeVar

import httpx
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from reflector.db import Meeting, Room
from reflector.inbox.actions import InboundEvent
from reflector.infra.clock import Clock
from reflector.video_platforms.errors import PlatformRequestError
from reflector.video_platforms.platform_settings import VideoPlatformConfig


class Capability(StrEnum):
    PER_USER_TOKENS = "per_user_tokens"
    CLOUD_RECORDING = "cloud_recording"
    RAW_TRACKS = "raw_tracks"
    LOGO = "logo"
    SESSIONS_API = "sessions_api"
    # The server starts recordings through the platform's API (room recording triggers).
    SERVER_RECORDING = "server_recording"


class Role(StrEnum):
    HOST = "host"
    PARTICIPANT = "participant"


class MeetingData(BaseModel):
    """What a platform returns for a new meeting; `extra_data` becomes `provider_data`."""

    model_config = ConfigDict(frozen=True)

    meeting_id: str = Field(min_length=1, max_length=255)
    room_name: str = Field(min_length=1, max_length=255)
    room_url: str = Field(min_length=1, max_length=2048)
    host_room_url: str = Field(min_length=1, max_length=2048)
    # The platform that made it, stamped by the factory (a fallback may have made it).
    platform: str = ""
    extra_data: dict[str, Any] = Field(default_factory=dict)


class SessionData(BaseModel):
    """One participant connection as the platform's own API reports it."""

    model_config = ConfigDict(frozen=True)

    participant_id: str
    user_id: str | None = None
    user_name: str | None = None
    joined_at: AwareDatetime
    left_at: AwareDatetime | None = None
    is_recorder: bool = False


@dataclass(frozen=True)
class JoinUser:
    """Who a join link is minted for: a signed-in user, named in the meeting by their own
    name wherever the link vouches for who they are (a token)."""

    id: str
    # A name the person chose: used only by links that carry no identity (a tokenless
    # public room, where anyone may rename themselves in the meeting anyway).
    chosen_name: str | None = None


@dataclass(frozen=True)
class PlatformContext:
    """Process-wide services a client may use; tests inject an HTTP transport here."""

    clock: Clock
    # Where platforms may keep files of their own, each under its slug.
    data_dir: Path
    http_transport: httpx.AsyncBaseTransport | None = None


SettingsT = TypeVar("SettingsT", bound=VideoPlatformConfig)


class VideoPlatformClient(ABC, Generic[SettingsT]):
    CAPABILITIES: ClassVar[frozenset[Capability]]
    # Where the platform's webhooks carry their signature, and their timestamp if separate.
    SIGNATURE_HEADER: ClassVar[str]
    TIMESTAMP_HEADER: ClassVar[str | None] = None

    def __init__(self, slug: str, settings: SettingsT, context: PlatformContext) -> None:
        # The registry's slug, given by the factory: a client never names its own platform.
        self.slug = slug
        self.settings = settings
        self.context = context

    @classmethod
    def capabilities_with(cls, settings: VideoPlatformConfig) -> frozenset[Capability]:
        """What the platform can do configured with `settings`."""
        return cls.CAPABILITIES

    def has(self, capability: Capability) -> bool:
        return capability in self.capabilities_with(self.settings)

    async def aclose(self) -> None:
        """Release connections; clients holding an `httpx.AsyncClient` close it here."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @abstractmethod
    async def create_meeting(self, room: Room, end_date: datetime) -> MeetingData: ...

    @abstractmethod
    async def delete_meeting(self, meeting: Meeting) -> None:
        """Delete the meeting's platform room; one that is already gone counts as deleted.
        `meeting` may be a copy of a row deleted since (the deletion outlives it)."""

    async def get_room_sessions(self, room_name: str) -> list[SessionData]:
        """Sessions of a platform room; only for platforms with `Capability.SESSIONS_API`."""
        raise PlatformRequestError(self.slug, "has no sessions API")

    async def upload_logo(self, room_name: str, logo_path: str) -> bool:
        """Brand the room with the image at `logo_path` (False: no such image); only for
        platforms with `Capability.LOGO`."""
        raise PlatformRequestError(self.slug, "takes no logo")

    @abstractmethod
    def verify_webhook_signature(
        self, body: bytes, signature: str, timestamp: str | None = None
    ) -> bool:
        """Check a webhook over its raw bytes, in constant time, within the time window."""

    async def start_recording(self, meeting: Meeting) -> None:
        """Start recording the meeting; only for platforms with `SERVER_RECORDING`."""
        raise PlatformRequestError(self.slug, "recordings are not started by the server")

    async def recording_link(self, platform_recording_id: str) -> str:
        """A download link for a recording the platform keeps (`recordings.tracks.PlatformLink`).

        Only platforms whose announcements name such recordings implement it.
        """
        raise PlatformRequestError(self.slug, "hands out no recording links")

    def verify_webhook(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Whether a request is an authentic webhook: the platform's scheme over raw bytes."""
        timestamp = headers.get(self.TIMESTAMP_HEADER) if self.TIMESTAMP_HEADER else None
        signature = headers.get(self.SIGNATURE_HEADER, "")
        return self.verify_webhook_signature(body, signature, timestamp)

    def is_endpoint_check(self, body: bytes) -> bool:
        """Whether an authentic body is the platform checking that the endpoint answers,
        acknowledged without being stored. Most platforms send none."""
        return False

    @abstractmethod
    def translate(self, body: bytes) -> InboundEvent:
        """An authentic webhook body as the inbox's event: what it says happened, in the
        `Action`s every platform translates into."""

    @abstractmethod
    async def join_url(self, meeting: Meeting, user: JoinUser, role: Role) -> str:
        """A link for this user and role, minted now (by the platform's API where it has one)."""
