"""Daily through the contract suite, against a fake of its API over HTTP."""

import base64
import hashlib
import hmac
import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import httpx

from reflector.video_platforms.daily import DailySettings
from reflector.video_platforms.platform_settings import VideoPlatformConfig
from tests.daily_fake import API_KEY, DailyFake
from tests.platform_contract import Kind, PlatformContract
from tests.support import START

WEBHOOK_SECRET = base64.b64encode(b"daily-webhook-key-for-the-tests!").decode()
API_URL = "https://api.daily.test/v1"


def daily_settings(**overrides: object) -> DailySettings:
    configured: dict[str, object] = {
        "api_key": API_KEY,
        "api_url": API_URL,
        "subdomain": "acme",
        "webhook_secret": WEBHOOK_SECRET,
    }
    return DailySettings(_env_file=None, **(configured | overrides))


def daily_signature(body: bytes, timestamp: str, secret: str = WEBHOOK_SECRET) -> str:
    """contracts/daily.md §6.3, written from the contract."""
    key = base64.b64decode(secret)
    digest = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed(body: bytes, timestamp: str, secret: str = WEBHOOK_SECRET) -> dict[str, str]:
    return {
        "X-Webhook-Signature": daily_signature(body, timestamp, secret),
        "X-Webhook-Timestamp": timestamp,
        "Content-Type": "application/json",
    }


def participant_event(kind: str, room: str, session_id: str, at: datetime) -> bytes:
    payload = {
        "room": room,
        "session_id": session_id,
        "user_id": session_id,
        "user_name": session_id.upper(),
        "joined_at": at.timestamp() - (10 if kind == "left" else 0),
        "owner": False,
    }
    if kind == "left":
        payload["duration"] = 10
    event = {
        "version": "1.0.0",
        "type": f"participant.{kind}",
        "id": f"ptcpt-{kind}-{session_id}-{int(at.timestamp())}",
        "payload": payload,
        "event_ts": at.timestamp(),
    }
    return json.dumps(event).encode()


class TestDailyContract(PlatformContract):
    slug = "daily"
    room_name_alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"

    def platform_settings(self) -> VideoPlatformConfig:
        return daily_settings()

    def new_webhook_secret(self) -> str:
        return base64.b64encode(b"the-rotated-daily-webhook-key-01").decode()

    def vendor_transport(self) -> httpx.AsyncBaseTransport | None:
        self.fake = DailyFake()
        return httpx.ASGITransport(app=self.fake.app())

    def vendor_has_room(self, room_name: str) -> bool | None:
        return room_name in self.fake.rooms

    def vendor_call_starts(self, room_name: str) -> None:
        self.fake.presence[room_name] = [{"id": "s1", "joinTime": "2026-11-25T12:00:00Z"}]

    def vendor_is_recording(self, room_name: str) -> bool:
        return any(room == room_name for room, _ in self.fake.started)

    def link_holder(self, url: str) -> tuple[str, bool]:
        [token] = parse_qs(urlsplit(url).query)["t"]
        claims = self.fake.tokens[token]
        assert claims["room_name"] == urlsplit(url).path.strip("/")
        return claims["user_id"], claims["is_owner"]

    def signed_webhook(
        self,
        kind: Kind,
        room_name: str,
        participant_id: str,
        at: datetime,
        secret: str | None = None,
    ) -> tuple[str, bytes, dict[str, str]]:
        body = participant_event(str(kind), room_name, participant_id, at)
        timestamp = str(int(START.timestamp()))
        return "/v1/daily/webhook", body, signed(body, timestamp, secret or WEBHOOK_SECRET)

    def signed_recording_ready(
        self, room_name: str, recording_id: str, participants: list[str]
    ) -> tuple[str, bytes, dict[str, str]]:
        start_ms = int(START.timestamp() * 1000)
        tracks = [
            {
                "type": "audio",
                "s3Key": f"acme/{room_name}/{start_ms}-{pid}-cam-audio-{start_ms + 1000 * n}",
                "size": 1000,
            }
            for n, pid in enumerate(participants)
        ]
        event = {
            "version": "1.0.0",
            "type": "recording.ready-to-download",
            "id": f"rec-rtd-{recording_id}",
            "payload": {
                "type": "raw-tracks",
                "recording_id": recording_id,
                "room_name": room_name,
                "start_ts": int(START.timestamp()),
                "status": "finished",
                "duration": 60,
                "s3_key": f"acme/{room_name}/{start_ms}",
                "tracks": tracks,
            },
            "event_ts": START.timestamp(),
        }
        body = json.dumps(event).encode()
        return "/v1/daily/webhook", body, signed(body, str(int(START.timestamp())))
