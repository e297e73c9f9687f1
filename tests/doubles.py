"""Test-double platforms. They register under their own slugs, never over a real platform."""

from datetime import datetime

from fastapi import APIRouter
from pydantic_settings import SettingsConfigDict

from reflector.db import Room
from reflector.video_platforms.base import MeetingData
from reflector.video_platforms.errors import PlatformUnavailable
from reflector.video_platforms.mock import MockClient, MockSettings
from reflector.video_platforms.spec import PlatformSpec


class EchoSettings(MockSettings):
    model_config = SettingsConfigDict(env_prefix="ECHO_", frozen=True)

    def allowed_recording_hosts(self) -> tuple[str, ...]:
        return ("127.0.0.1", "10.0.0.1")


class EchoClient(MockClient):
    """A working platform other than the mock, to move rooms onto."""

    PLATFORM_NAME = "echo"

    async def create_meeting(
        self, room_name_prefix: str, end_date: datetime, room: Room
    ) -> MeetingData:
        data = await super().create_meeting(room_name_prefix, end_date, room)
        return data.model_copy(update={"platform": self.PLATFORM_NAME})


class DownClient(MockClient):
    """A platform whose API is unreachable."""

    PLATFORM_NAME = "down"

    async def create_meeting(
        self, room_name_prefix: str, end_date: datetime, room: Room
    ) -> MeetingData:
        raise PlatformUnavailable(self.PLATFORM_NAME, "connection refused")


class DownSettings(MockSettings):
    model_config = SettingsConfigDict(env_prefix="DOWN_", frozen=True)


ECHO = PlatformSpec(
    slug="echo", settings=EchoSettings, client=EchoClient, router=APIRouter(prefix="/v1/echo")
)
DOWN = PlatformSpec(
    slug="down", settings=DownSettings, client=DownClient, router=APIRouter(prefix="/v1/down")
)
