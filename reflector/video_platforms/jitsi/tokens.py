"""Room tokens exactly as Prosody's token modules check them
(docs/platforms/jitsi.md#room-tokens)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt

from reflector.video_platforms.jitsi.settings import JitsiSettings

# Prosody has no leeway on nbf (docs/platforms/jitsi.md#room-tokens): back-date it so a slightly
# slow server clock still accepts.
NOT_BEFORE_SKEW = timedelta(seconds=60)
# A reconnect after `exp` fails (docs/platforms/jitsi.md#room-tokens), so the token outlives the
# planned end a little.
AFTER_MEETING_END = timedelta(minutes=15)
MAX_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class TokenUser:
    id: str
    name: str
    moderator: bool


def room_token(
    settings: JitsiSettings,
    room: str,
    user: TokenUser,
    *,
    now: datetime,
    meeting_end: datetime,
    recording: bool,
) -> str | None:
    """A token letting `user` into `room` only, or None when no signing key is configured."""
    algorithm = settings.signing_algorithm
    if algorithm is None:
        return None
    expires = min(meeting_end + AFTER_MEETING_END, now + MAX_LIFETIME)
    payload: dict[str, Any] = {
        "iss": settings.app_id,
        "aud": settings.jwt_audience,
        "sub": settings.jwt_subject,
        "room": room,
        "iat": int(now.timestamp()),
        "nbf": int((now - NOT_BEFORE_SKEW).timestamp()),
        "exp": int(expires.timestamp()),
        "context": {
            "user": {
                "id": user.id,
                "name": user.name,
                # Strings, which token_affiliation and 8x8 both accept
                # (docs/platforms/jitsi.md#room-tokens).
                "moderator": "true" if user.moderator else "false",
                "affiliation": "owner" if user.moderator else "member",
            },
            # With a features object, a missing key means disabled
            # (docs/platforms/jitsi.md#room-tokens): list each one.
            "features": {
                "recording": recording and user.moderator,
                "livestreaming": False,
                "transcription": False,
                "sip-outbound-call": False,
            },
        },
    }
    secret = settings.jwt_secret or settings.jwt_private_key
    assert secret is not None  # the settings validator pairs every algorithm with its key
    headers = {"typ": "JWT"}
    if settings.jwt_key_id:
        headers["kid"] = settings.jwt_key_id
    return jwt.encode(payload, secret.get_secret_value(), algorithm=algorithm, headers=headers)
