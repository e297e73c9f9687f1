from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt

from reflector.video_platforms.platform_settings import VideoPlatformConfig
from tests.jitsi import EVENT_PATHS, JWT_SECRET, bearer, jitsi_settings, occupant_event
from tests.platform_contract import Kind, PlatformContract


class TestJitsiContract(PlatformContract):
    slug = "jitsi"
    room_name_alphabet = "abcdefghijklmnopqrstuvwxyz0123456789-"
    signs_body = False

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
