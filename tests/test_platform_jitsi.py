import json
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt

from reflector.video_platforms.jitsi import SIGNATURE_HEADER
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from tests.jitsi import (
    EVENT_PATHS,
    JWT_SECRET,
    bearer,
    fixture,
    jibri_signature,
    jitsi_settings,
    occupant_event,
)
from tests.platform_contract import Kind, PlatformContract
from tests.support import START

MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


class TestJitsiContract(PlatformContract):
    slug = "jitsi"
    room_name_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"
    signs_body = False
    recording_first_status = 201

    def platform_settings(self) -> VideoPlatformConfig:
        return jitsi_settings()

    def vendor_transport(self) -> httpx.AsyncBaseTransport | None:
        return None  # Jitsi has no API to call: Prosody pushes events to us

    def vendor_has_room(self, room_name: str) -> bool | None:
        return None  # a Jitsi room exists only while people are in it

    def link_holder(self, url: str) -> tuple[str, bool]:
        [token] = parse_qs(urlsplit(url).query)["jwt"]
        # Signed with our key; its times are the test clock's, so they are not checked here.
        unchecked = {"verify_exp": False, "verify_nbf": False, "verify_iat": False}
        claims = jwt.decode(
            token, JWT_SECRET, algorithms=["HS256"], audience="reflector", options=unchecked
        )
        user = claims["context"]["user"]
        return user["id"], user["moderator"] == "true"

    def signed_webhook(
        self,
        kind: Kind,
        room_name: str,
        participant_id: str,
        at: datetime,
        secret: str | None = None,
    ) -> tuple[str, bytes, dict[str, str]]:
        # An occupant's left event repeats its joined_at; the contract's p1 joined 10 s earlier.
        joined = at if kind is Kind.JOINED else at - timedelta(seconds=10)
        occupant = {
            "occupant_jid": f"{participant_id}@meet.jitsi/web",
            "joined_at": int(joined.timestamp()),
            "id": participant_id,
            "name": participant_id.upper(),
        }
        if kind is Kind.LEFT:
            occupant["left_at"] = int(at.timestamp())
        event_name = f"muc-occupant-{kind}"
        body = occupant_event(event_name, room_name, occupant)
        return EVENT_PATHS[event_name], body, bearer(secret) if secret else bearer()

    def signed_recording_ready(
        self, room_name: str, recording_id: str, participants: list[str]
    ) -> tuple[str, bytes, dict[str, str]]:
        """What finalize.sh uploads: the session's name, its metadata.json and its one file."""
        metadata = json.loads(fixture("jibri_metadata", room_name))
        metadata.pop("reflector_meeting_id", None)
        boundary = "contract-boundary"
        parts = [
            ('name="session"', recording_id.encode()),
            ('name="metadata"; filename="metadata.json"', json.dumps(metadata).encode()),
            # An MP4's first box; the contract reads the announcement, not the media.
            (f'name="file"; filename="{room_name}_2026-03-02-10-02-08.mp4"', MP4_HEAD),
        ]
        body = (
            b"".join(
                f"--{boundary}\r\nContent-Disposition: form-data; {disposition}\r\n\r\n".encode()
                + content
                + b"\r\n"
                for disposition, content in parts
            )
            + f"--{boundary}--\r\n".encode()
        )
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            SIGNATURE_HEADER: jibri_signature(body, int(START.timestamp())),
        }
        return "/v1/jitsi/recordings", body, headers

    def announced_as(
        self, room_name: str, recording_id: str, participants: list[str]
    ) -> tuple[str, int]:
        """Jibri records the mixed call: one track, whoever took part."""
        return recording_id, 1
