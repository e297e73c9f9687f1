"""Webhook signature schemes shared by several platforms, as pure functions over raw bytes.

`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` is used by the mock platform and by
Whereby (contracts/whereby.md, webhooks). Several `v1=` values may be present while a
secret is rotated; one match is enough.
"""

import hashlib
import hmac
from collections.abc import Iterable

TOLERANCE_SECONDS = 300
_MAX_TIMESTAMP_DIGITS = 12


def parse_unix_timestamp(value: str) -> int | None:
    """Whole seconds as ASCII digits only; '1e30', '-5', '12.5' or huge values are refused."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > _MAX_TIMESTAMP_DIGITS:
        return None
    return int(value)


def within_window(timestamp: int, now: float, tolerance: int = TOLERANCE_SECONDS) -> bool:
    return abs(now - timestamp) <= tolerance


def hmac_sha256_hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def parse_t_v1(header: str) -> tuple[int, list[str]] | None:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return None
        if name == "t":
            timestamp = parse_unix_timestamp(value)
        elif name == "v1":
            signatures.append(value.strip())
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def verify_t_v1(body: bytes, header: str, secrets: Iterable[bytes], now: float) -> bool:
    check = SignedBody.start(header, secrets, now)
    if check is None:
        return False
    check.update(body)
    return check.valid()


class SignedBody:
    """A `t=,v1=` signature checked over a body read in chunks, as it streams in.

    `start` refuses a malformed or stale header before any of the body is read.
    """

    def __init__(self, timestamp: int, signatures: list[str], secrets: Iterable[bytes]) -> None:
        prefix = f"{timestamp}.".encode()
        self._macs = [hmac.new(secret, prefix, hashlib.sha256) for secret in secrets]
        self._signatures = signatures

    @classmethod
    def start(cls, header: str, secrets: Iterable[bytes], now: float) -> "SignedBody | None":
        parsed = parse_t_v1(header)
        if parsed is None or not within_window(parsed[0], now):
            return None
        return cls(parsed[0], parsed[1], secrets)

    def update(self, chunk: bytes) -> None:
        for mac in self._macs:
            mac.update(chunk)

    def valid(self) -> bool:
        expected = [mac.hexdigest().encode() for mac in self._macs]
        # Compare every pair so the time taken does not depend on which one matched.
        matches = [
            hmac.compare_digest(want, given.encode("ascii", "replace"))
            for want in expected
            for given in self._signatures
        ]
        return any(matches)
