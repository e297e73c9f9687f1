"""What Prosody does with a room token, written from contracts/jitsi.md §a, not from our code.

`ProsodyTokenCheck` applies luajwtjitsi's and token/util.lib.lua's rules to a token at BOSH
authentication and MUC join, then mod_token_affiliation's rule for the MUC role.
"""

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

_HASHES = {"256": (hashlib.sha256, hashes.SHA256), "384": (hashlib.sha384, hashes.SHA384)}
_HASHES["512"] = (hashlib.sha512, hashes.SHA512)


class Refused(Exception):
    """Prosody refuses the token; the message says which rule."""


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@dataclass
class ProsodyTokenCheck:
    """One Prosody's token settings (docker: JWT_APP_ID, JWT_APP_SECRET, JWT_SIGN_TYPE, …)."""

    app_id: str
    app_secret: str | None = None
    public_key: RSAPublicKey | None = None
    signature_algorithm: str | None = None
    accepted_issuers: list[str] = field(default_factory=list)
    accepted_audiences: list[str] = field(default_factory=lambda: ["*"])
    enable_domain_verification: bool = False
    xmpp_domain: str = "meet.jitsi"

    def algorithm(self) -> str:
        if self.signature_algorithm:
            return self.signature_algorithm
        return "HS256" if self.app_secret else "RS256"

    def join(self, token: str, room_node: str, now: int) -> tuple[dict[str, Any], str]:
        """The claims and MUC affiliation of a user joining `room_node` with `token`."""
        claims = self.authenticate(token, now)
        self._check_room(claims, room_node)
        return claims, self.affiliation(claims)

    def authenticate(self, token: str, now: int) -> dict[str, Any]:
        parts = token.split(".")
        if len(parts) != 3:
            raise Refused("not a JWS compact token")
        header = json.loads(_b64decode(parts[0]))
        if header.get("typ") != "JWT":
            raise Refused("Invalid typ")
        if header.get("alg") != self.algorithm():
            raise Refused(f"Invalid alg {header.get('alg')!r}")
        self._check_signature(header, f"{parts[0]}.{parts[1]}".encode(), _b64decode(parts[2]))
        claims: dict[str, Any] = json.loads(_b64decode(parts[1]))
        issuers = self.accepted_issuers or [self.app_id]
        if claims.get("iss") not in issuers and "*" not in issuers:
            raise Refused("iss not accepted")
        if "aud" not in claims:
            raise Refused("aud missing")
        # Compared as one string with ==; an array only passes when "*" is accepted.
        if "*" not in self.accepted_audiences and (
            not isinstance(claims["aud"], str) or claims["aud"] not in self.accepted_audiences
        ):
            raise Refused("aud not accepted")
        for name in ("exp", "nbf"):
            if name in claims and not isinstance(claims[name], int | float):
                raise Refused(f"{name} is not a number")
        if "exp" in claims and now >= claims["exp"]:
            raise Refused("token expired")
        if "nbf" in claims and now < claims["nbf"]:
            raise Refused("token not yet valid")
        return claims

    def _check_signature(self, header: dict[str, Any], signed: bytes, signature: bytes) -> None:
        alg = str(header["alg"])
        digest, rsa_hash = _HASHES[alg[2:]]
        if alg.startswith("HS"):
            assert self.app_secret is not None
            # The app_secret string's bytes, never hex- or base64-decoded (§a.1).
            expected = hmac.new(self.app_secret.encode(), signed, digest).digest()
            if not hmac.compare_digest(expected, signature):
                raise Refused("signature verification failed")
            return
        assert self.public_key is not None
        if "kid" not in header:
            raise Refused("kid missing")
        try:
            self.public_key.verify(signature, signed, padding.PKCS1v15(), rsa_hash())
        except Exception as exc:
            raise Refused("signature verification failed") from exc

    def _check_room(self, claims: dict[str, Any], room_node: str) -> None:
        if "room" not in claims:
            raise Refused("room claim missing")
        room = claims["room"]
        if self.enable_domain_verification:
            subject = claims.get("sub")
            if subject not in ("*", self.xmpp_domain):
                raise Refused("sub does not name this domain")
        if room != "*" and str(room).lower() != room_node:
            raise Refused("room does not match")

    @staticmethod
    def affiliation(claims: dict[str, Any]) -> str:
        """mod_token_affiliation: owner for owner/moderator/teacher, or moderator true."""
        user = claims.get("context", {}).get("user", {})
        if user.get("affiliation") in ("owner", "moderator", "teacher"):
            return "owner"
        if user.get("moderator") in ("true", True):
            return "owner"
        return "member"


def feature_enabled(claims: dict[str, Any], feature: str) -> bool:
    """The web client's isJwtFeatureEnabled: with a features object, a missing key is off."""
    features = claims.get("context", {}).get("features")
    if features is None:
        return True
    return features.get(feature) in (True, "true")
