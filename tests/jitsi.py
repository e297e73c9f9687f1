"""Jitsi test data: the contract's fixtures, retargeted at our rooms, and Prosody's requests."""

import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

from reflector.config.loading import Config
from reflector.config.settings import Settings
from reflector.video_platforms.jitsi import JitsiSettings
from reflector.video_platforms.mock import MockSettings
from tests.support import MOCK_SECRET, platform_settings

# Copied unchanged from the shared contracts (contracts/fixtures/jitsi/).
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "jitsi"
FIXTURE_ROOM = "standup-4f9c2a71"
JWT_SECRET = "jitsi-app-secret-for-the-tests-0123456789"
WEBHOOK_SECRET = "jitsi-event-sync-bearer-0123456789abcdef"
EVENT_PATHS = {
    "muc-room-created": "/v1/jitsi/events/room/created",
    "muc-room-destroyed": "/v1/jitsi/events/room/destroyed",
    "muc-occupant-joined": "/v1/jitsi/events/occupant/joined",
    "muc-occupant-left": "/v1/jitsi/events/occupant/left",
}
EVENT_FIXTURES = (
    "room_created",
    "occupant_joined",
    "occupant_joined_recorder",
    "occupant_joined_breakout",
    "occupant_left",
    "occupant_left_with_speaker_stats",
    "room_destroyed",
)


def bearer(secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    """What Prosody's `api_headers` sends: a static bearer token, nothing signed (§c.4)."""
    return {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}


def fixture(name: str, room: str = FIXTURE_ROOM) -> bytes:
    """A fixture's bytes as Prosody would send them for `room`."""
    return (FIXTURES / f"{name}.json").read_bytes().replace(FIXTURE_ROOM.encode(), room.encode())


def jibri_signature(body: bytes, timestamp: int, secret: str = WEBHOOK_SECRET) -> str:
    """What finalize.sh sends: the body's SHA-256 and an HMAC over "<t>.<that digest>"."""
    digest = hashlib.sha256(body).hexdigest()
    mac = hmac.new(secret.encode(), f"{timestamp}.{digest}".encode(), hashlib.sha256)
    return f"t={timestamp},sha256={digest},v1={mac.hexdigest()}"


def path_of(body: bytes) -> str:
    return EVENT_PATHS[json.loads(body)["event_name"]]


def occupant_event(
    event_name: str,
    room: str,
    occupant: dict[str, Any],
    *,
    breakout: str | None = None,
) -> bytes:
    payload: dict[str, Any] = {
        "event_name": event_name,
        "room_name": room,
        "room_jid": f"{room}@muc.meet.jitsi",
        "is_breakout": breakout is not None,
        "active_occupants_count": 1,
        "occupant": occupant,
    }
    if breakout is not None:
        payload["breakout_room_id"] = breakout
    return json.dumps(payload).encode()


def jitsi_settings(**overrides: Any) -> JitsiSettings:
    """A self-hosted Jitsi with tokens and event sync set up."""
    configured = {
        "domain": "meet.example.com",
        "jwt_secret": JWT_SECRET,
        "webhook_secret": WEBHOOK_SECRET,
    }
    return JitsiSettings(_env_file=None, **(configured | overrides))


def jitsi_config(settings: Settings, jitsi: JitsiSettings) -> Config:
    """Jitsi as the default platform, next to the mock."""
    return Config(
        settings=settings.model_copy(update={"DEFAULT_VIDEO_PLATFORM": "jitsi"}),
        platforms=platform_settings(
            jitsi=jitsi, mock=MockSettings(_env_file=None, webhook_secret=MOCK_SECRET)
        ),
    )
