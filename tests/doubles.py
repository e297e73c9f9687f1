"""Test-double platforms. They register under their own slugs, never over a real platform."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from reflector.db import Room
from reflector.video_platforms.base import MeetingData, SessionData
from reflector.video_platforms.errors import PlatformUnavailable
from reflector.video_platforms.mock import MockClient, MockSettings
from reflector.video_platforms.spec import PlatformSpec


class EchoSettings(MockSettings):
    model_config = SettingsConfigDict(env_prefix="ECHO_", frozen=True)

    def allowed_recording_hosts(self) -> tuple[str, ...]:
        return ("127.0.0.1", "10.0.0.1")


class EchoClient(MockClient):
    """A working platform other than the mock, to move rooms onto."""


class DownClient(MockClient):
    """A platform whose API is unreachable."""

    async def create_meeting(self, room: Room, end_date: datetime) -> MeetingData:
        raise PlatformUnavailable(self.slug, "connection refused")


class DownSettings(MockSettings):
    model_config = SettingsConfigDict(env_prefix="DOWN_", frozen=True)


ECHO = PlatformSpec(
    slug="echo",
    title="Echo",
    settings=EchoSettings,
    client=EchoClient,
)
DOWN = PlatformSpec(
    slug="down",
    title="Down",
    settings=DownSettings,
    client=DownClient,
)


class ScriptedClient(EchoClient):
    """A platform whose sessions API answers what the test scripted, and which can let
    something happen between taking its snapshot and answering (an interleaving)."""

    listing: ClassVar[list[SessionData]] = []
    after_snapshot: ClassVar[Callable[[], Awaitable[None]] | None] = None

    async def get_room_sessions(self, room_name: str) -> list[SessionData]:
        snapshot = list(type(self).listing)
        if type(self).after_snapshot is not None:
            await type(self).after_snapshot()
        return snapshot


class ScriptedSettings(MockSettings):
    model_config = SettingsConfigDict(env_prefix="SCRIPTED_", frozen=True)


SCRIPTED = PlatformSpec(
    slug="scripted",
    title="Scripted",
    settings=ScriptedSettings,
    client=ScriptedClient,
)
