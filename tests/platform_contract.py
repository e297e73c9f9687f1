"""The contract every video platform passes, the mock included.

A platform's test module subclasses `PlatformContract` and supplies data only: its settings,
a fake of its vendor API (an httpx transport) with what that fake saw, and signed webhook
bodies. Nothing here skips: a platform that supplies nothing fails, and so does one that
declares a capability (read with its settings) whose test it cannot supply the data for.
"""

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, ClassVar

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from reflector.app import create_app
from reflector.config.loading import Config
from reflector.config.settings import Settings
from reflector.db import Meeting, Room, WebhookEvent
from reflector.runtime import Runtime
from reflector.video_platforms.base import Capability, MeetingData
from reflector.video_platforms.errors import PlatformError
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from reflector.video_platforms.registry import PLATFORMS
from reflector.video_platforms.spec import PlatformSpec
from tests.support import START, platform_paths


class Kind(StrEnum):
    JOINED = "joined"
    LEFT = "left"


class PlatformContract:
    slug: ClassVar[str]
    room_name_alphabet: ClassVar[str]
    # False for senders with a static credential only (Prosody's bearer): a body changed in
    # transit cannot be told from the original, so only wrong credentials are tested.
    signs_body: ClassVar[bool] = True
    # The answer to a recording's first announcement: 201 where it is an upload that creates
    # the recording (Jibri's finalize script); repeats are always answered 200.
    recording_first_status: ClassVar[int] = 200
    # The registry the platform is in: the shipped one, or a test platform's own line.
    specs: ClassVar[tuple[PlatformSpec, ...]] = PLATFORMS

    def platform_settings(self) -> VideoPlatformConfig:
        raise NotImplementedError("the platform must supply its settings")

    def vendor_transport(self) -> httpx.AsyncBaseTransport | None:
        raise NotImplementedError("the platform must supply a fake of its API, or None")

    def signed_webhook(
        self,
        kind: Kind,
        room_name: str,
        participant_id: str,
        at: datetime,
        secret: str | None = None,
    ) -> tuple[str, bytes, dict[str, str]]:
        """Path, body and headers of an authentic participant event, signed as the vendor does
        (with `secret` instead of the settings' webhook secret when given)."""
        raise NotImplementedError("the platform must supply signed webhook bodies")

    def new_webhook_secret(self) -> str:
        """A valid webhook secret other than the settings' one, to rotate to."""
        return "rotated-webhook-secret-0123456789abcdef0123"

    def vendor_has_room(self, room_name: str) -> bool | None:
        """Whether the fake vendor holds this room; None only for platforms with no API."""
        raise NotImplementedError("the platform must say what its fake vendor holds, or None")

    def link_holder(self, url: str) -> tuple[str, bool]:
        """PER_USER_TOKENS: the user a join link was minted for, and whether as host."""
        raise NotImplementedError("a platform with per-user tokens must read its links")

    def vendor_logo(self, room_name: str) -> bytes | None:
        """LOGO: the logo the fake vendor holds for the room."""
        raise NotImplementedError("a platform with logos must say what its vendor received")

    def signed_recording_ready(
        self, room_name: str, recording_id: str, participants: list[str]
    ) -> tuple[str, bytes, dict[str, str]]:
        """CLOUD_RECORDING / RAW_TRACKS: an authentic "recording ready" event with one track
        per participant."""
        raise NotImplementedError("a platform that records must supply its announcement")

    def announced_as(
        self, room_name: str, recording_id: str, participants: list[str]
    ) -> tuple[str, int]:
        """The platform recording id and the number of tracks `signed_recording_ready` gives.

        One track per participant, under the announced id, unless the platform says otherwise.
        """
        return recording_id, len(participants)

    def vendor_call_starts(self, room_name: str) -> None:
        """SERVER_RECORDING: someone is in the room now, as far as the fake vendor knows."""
        raise NotImplementedError("a platform that starts recordings must fake a live call")

    def vendor_is_recording(self, room_name: str) -> bool:
        """SERVER_RECORDING: whether the fake vendor was asked to record the room."""
        raise NotImplementedError("a platform that starts recordings must say what it saw")

    @pytest.fixture
    def registry(self) -> tuple[PlatformSpec, ...]:
        return self.specs

    @pytest.fixture
    def config(self, settings: Settings) -> Config:
        settings = settings.model_copy(update={"DEFAULT_VIDEO_PLATFORM": self.slug})
        return Config(settings=settings, platforms=self._all_settings())

    def _all_settings(self) -> dict[str, VideoPlatformConfig]:
        fresh = {spec.slug: spec.settings(_env_file=None) for spec in self.specs}
        return {**fresh, self.slug: self.platform_settings()}

    @pytest.fixture
    def http_transport(self) -> httpx.AsyncBaseTransport | None:
        return self.vendor_transport()

    async def _meeting(self, client: Any, headers: dict[str, str]) -> dict[str, Any]:
        created = await client.post(
            "/v1/rooms", json={"name": "contract", "is_shared": True}, headers=headers
        )
        assert created.status_code == 201, created.text
        assert created.json()["platform"] == self.slug
        meeting = await client.post("/v1/rooms/contract/meeting", headers=headers)
        assert meeting.status_code == 200, meeting.text
        body: dict[str, Any] = meeting.json()
        return body

    async def _deliver(self, client: Any, kind: Kind, room: str, pid: str, offset: int = 0) -> Any:
        path, body, headers = self.signed_webhook(
            kind, room, pid, START + timedelta(seconds=offset)
        )
        return await client.post(path, content=body, headers=headers)

    def test_registered_once_under_its_own_slug(self) -> None:
        [spec] = [spec for spec in self.specs if spec.slug == self.slug]
        paths = platform_paths(spec)
        assert paths
        assert all(path.startswith(f"/v1/{self.slug}") for path in paths)
        assert spec.pages is None or spec.pages.prefix == f"/{self.slug}"
        assert spec.settings.model_config.get("env_prefix") == f"{self.slug.upper()}_"
        assert set(Capability) >= spec.client.CAPABILITIES

    def test_secrets_print_masked(self) -> None:
        settings = self.platform_settings()
        secrets = [
            v.get_secret_value() for v in dict(settings).values() if isinstance(v, SecretStr)
        ]
        assert secrets, "a platform verifies webhooks, so it has at least one secret"
        shown = repr(settings) + str(settings) + repr(settings.describe())
        for secret in secrets:
            assert secret not in shown

    async def test_create_meeting_returns_meeting_data(self, runtime: Runtime) -> None:
        room = Room(id=uuid.uuid4(), name="contract-room", owner="alice", platform=self.slug)
        end = START + timedelta(hours=1)
        # Through the factory, which stamps the platform: a client never names its own.
        first = await runtime.platforms.create_meeting(room, end)
        second = await runtime.platforms.create_meeting(room, end)
        assert isinstance(first, MeetingData)
        assert first.platform == self.slug
        assert runtime.platforms.client(self.slug).slug == self.slug
        assert first.room_name != second.room_name
        assert first.meeting_id != second.meeting_id
        assert set(first.room_name) <= set(self.room_name_alphabet)
        assert first.room_url.startswith(("https://", "http://"))
        if Capability.PER_USER_TOKENS not in self._capabilities():
            # Otherwise the host's powers are in the token minted at join time.
            assert first.host_room_url != first.room_url

    async def test_join_links_keep_host_powers_for_the_owner(self, client, alice, bob) -> None:
        meeting = await self._meeting(client, alice)
        join = f"/v1/meetings/{meeting['id']}/join"
        host = (await client.post(join, headers=alice)).json()
        guest = (await client.post(join, headers=bob)).json()
        assert (host["role"], guest["role"]) == ("host", "participant")
        assert host["url"] != guest["url"]
        assert (await client.post(join, json={"role": "host"}, headers=bob)).status_code == 403

    async def test_deleting_a_meeting_twice_succeeds(self, runtime: Runtime) -> None:
        room = Room(id=uuid.uuid4(), name="contract-room", owner="alice", platform=self.slug)
        client = runtime.platforms.client(self.slug)
        data = await client.create_meeting(room, START + timedelta(hours=1))
        # Only what the meeting says: the platform reads none of the service's tables.
        meeting = Meeting(
            platform=self.slug,
            platform_meeting_id=data.meeting_id,
            platform_room_name=data.room_name,
        )
        assert self.vendor_has_room(data.room_name) in (True, None)
        await client.delete_meeting(meeting)
        assert self.vendor_has_room(data.room_name) in (False, None)
        await client.delete_meeting(meeting)

    async def test_logo_reaches_the_platform(self, runtime: Runtime, tmp_path) -> None:
        client = runtime.platforms.client(self.slug)
        if Capability.LOGO not in self._capabilities():
            with pytest.raises(NotImplementedError):
                self.vendor_logo("any-room")
            with pytest.raises(PlatformError):
                await client.upload_logo("any-room", str(tmp_path / "logo.png"))
            return
        room = Room(id=uuid.uuid4(), name="contract-logo", owner="alice", platform=self.slug)
        data = await client.create_meeting(room, START + timedelta(hours=1))
        logo = tmp_path / "logo.png"
        logo.write_bytes(b"\x89PNG\r\n\x1a\n-contract-logo")
        assert await client.upload_logo(data.room_name, str(logo)) is True
        assert self.vendor_logo(data.room_name) == logo.read_bytes()
        assert await client.upload_logo(data.room_name, str(tmp_path / "missing.png")) is False

    async def test_the_server_starts_recordings_where_declared(self, runtime: Runtime) -> None:
        room = Room(id=uuid.uuid4(), name="contract-rec", owner="alice", platform=self.slug)
        client = runtime.platforms.client(self.slug)
        data = await client.create_meeting(room, START + timedelta(hours=1))
        meeting = Meeting(id=uuid.uuid4(), platform=self.slug, platform_room_name=data.room_name)
        if Capability.SERVER_RECORDING not in self._capabilities():
            with pytest.raises(PlatformError):
                await client.start_recording(meeting)
            return
        self.vendor_call_starts(data.room_name)
        await client.start_recording(meeting)
        await client.start_recording(meeting)  # started twice: still fine
        assert self.vendor_is_recording(data.room_name)

    async def test_join_links_are_minted_per_user_and_role(self, client, alice, bob) -> None:
        meeting = await self._meeting(client, alice)
        join = f"/v1/meetings/{meeting['id']}/join"
        host = (await client.post(join, headers=alice)).json()["url"]
        guest = (await client.post(join, headers=bob)).json()["url"]
        if Capability.PER_USER_TOKENS not in self._capabilities():
            assert guest == meeting["room_url"]
            return
        assert self.link_holder(host) == ("alice", True)
        assert self.link_holder(guest) == ("bob", False)
        stored = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
        assert host not in (stored["room_url"], stored["host_room_url"])

    async def test_a_recording_announced_twice_is_one_recording(self, client, alice) -> None:
        if not self._capabilities() & {Capability.CLOUD_RECORDING, Capability.RAW_TRACKS}:
            return
        meeting = await self._meeting(client, alice)
        room = meeting["platform_room_name"]
        path, body, headers = self.signed_recording_ready(room, "rec-contract", ["p1", "p2"])
        statuses = [
            (await client.post(path, content=body, headers=headers)).status_code for _ in range(2)
        ]
        assert statuses == [self.recording_first_status, 200], statuses
        again = self.signed_recording_ready(room, "rec-contract", ["p1", "p2"])
        assert (await client.post(again[0], content=again[1], headers=again[2])).status_code == 200
        found = await client.get(f"/v1/meetings/{meeting['id']}/recordings", headers=alice)
        [recording] = found.json()
        recording_id, tracks = self.announced_as(room, "rec-contract", ["p1", "p2"])
        assert (recording["platform_recording_id"], recording["status"]) == (
            recording_id,
            "received",
        )
        assert recording["tracks"] == tracks

    async def test_the_previous_webhook_secret_works_until_removed(
        self, config, clock, http_transport, client, alice
    ) -> None:
        room = (await self._meeting(client, alice))["platform_room_name"]
        old = self.platform_settings().webhook_secret
        assert old is not None
        new = self.new_webhook_secret()

        async def deliver(participant: str, secret: str, **settings: Any) -> int:
            changed = self.platform_settings().model_copy(update=settings)
            restarted = replace(config, platforms={**config.platforms, self.slug: changed})
            app = create_app(
                restarted,
                specs=self.specs,
                clock=clock,
                http_transport=http_transport,
                relay=False,
            )
            path, body, headers = self.signed_webhook(Kind.JOINED, room, participant, START, secret)
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://reflector.test"
                ) as restarted_client,
            ):
                return (
                    await restarted_client.post(path, content=body, headers=headers)
                ).status_code

        rotating = {"webhook_secret": SecretStr(new), "webhook_secret_previous": old}
        assert await deliver("p1", new, **rotating) == 200
        assert await deliver("p2", old.get_secret_value(), **rotating) == 200
        assert await deliver("p3", old.get_secret_value(), webhook_secret=SecretStr(new)) == 401
        assert await deliver("p4", new, webhook_secret=SecretStr(new)) == 200

    async def test_signed_events_track_participants(self, client, alice) -> None:
        meeting = await self._meeting(client, alice)
        room = meeting["platform_room_name"]
        assert (await self._deliver(client, Kind.JOINED, room, "p1")).status_code == 200
        assert (await self._deliver(client, Kind.JOINED, room, "p2", 5)).status_code == 200
        assert (await self._deliver(client, Kind.LEFT, room, "p1", 10)).status_code == 200
        detail = (await client.get(f"/v1/meetings/{meeting['id']}", headers=alice)).json()
        assert detail["num_clients"] == 1
        sessions = await client.get(f"/v1/meetings/{meeting['id']}/sessions", headers=alice)
        client_has_sessions = Capability.SESSIONS_API in self._capabilities()
        assert sessions.status_code == (200 if client_has_sessions else 409)

    async def test_tampered_events_are_refused_and_not_stored(self, client, alice, runtime) -> None:
        meeting = await self._meeting(client, alice)
        path, body, headers = self.signed_webhook(
            Kind.JOINED, meeting["platform_room_name"], "p1", START
        )
        forged = {
            name: value[:-1] + ("0" if value[-1] != "0" else "1") for name, value in headers.items()
        }
        assert (await client.post(path, content=body, headers=forged)).status_code == 401
        assert (await client.post(path, content=body)).status_code == 401
        if self.signs_body:
            tampered = body.replace(b"p1", b"p9")
            assert tampered != body
            response = await client.post(path, content=tampered, headers=headers)
            assert response.status_code == 401
        async with runtime.db.read() as session:
            assert await session.scalar(select(func.count()).select_from(WebhookEvent)) == 0

    async def test_events_for_unknown_rooms_are_parked(self, client) -> None:
        response = await self._deliver(client, Kind.JOINED, "unknown-room", "p1")
        assert response.status_code == 200
        assert response.json()["status"] == "parked"

    async def test_ending_a_meeting_deletes_the_platform_room(self, client, alice) -> None:
        meeting = await self._meeting(client, alice)
        ended = await client.post(f"/v1/meetings/{meeting['id']}/end", headers=alice)
        assert ended.status_code == 200
        assert ended.json()["state"] == "ended"

    def _capabilities(self) -> frozenset[Capability]:
        [spec] = [spec for spec in self.specs if spec.slug == self.slug]
        return spec.client.capabilities_with(self.platform_settings())
