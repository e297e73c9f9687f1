"""Webhook signature schemes shared by several platforms, as pure functions over raw bytes.

`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` is used by the mock platform and by
Whereby (docs/platforms/whereby.md#webhook-signature). Several `v1=` values may be present while a
secret is rotated; one match is enough. Uploads too large to hold sign the body's SHA-256
instead of the body (`SignedDigest`), so that they are authenticated before they are read.
"""

import hashlib
import hmac
from collections.abc import Iterable

TOLERANCE_SECONDS = 300
_MAX_TIMESTAMP_DIGITS = 12


def parse_unix_timestamp(value: str, max_digits: int = _MAX_TIMESTAMP_DIGITS) -> int | None:
    """A whole number as ASCII digits only; '1e30', '-5', '12.5' or huge values are refused."""
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > max_digits:
        return None
    return int(value)


def within_window(timestamp: float, now: float, tolerance: int = TOLERANCE_SECONDS) -> bool:
    return abs(now - timestamp) <= tolerance


def hmac_sha256_hex(key: bytes, message: bytes) -> str:
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def parse_fields(header: str) -> dict[str, list[str]] | None:
    """`name=value` pairs separated by commas; a name may repeat (rotation)."""
    fields: dict[str, list[str]] = {}
    for part in header.split(","):
        name, sep, value = part.strip().partition("=")
        if not sep:
            return None
        fields.setdefault(name, []).append(value.strip())
    return fields


def parse_t_v1(header: str) -> tuple[int, list[str]] | None:
    fields = parse_fields(header)
    if fields is None or len(fields.get("t", [])) != 1 or not fields.get("v1"):
        return None
    timestamp = parse_unix_timestamp(fields["t"][0])
    return None if timestamp is None else (timestamp, fields["v1"])


def sign_t_v1(body: bytes, secret: bytes, timestamp: int) -> str:
    """The `t=<unix>,v1=<hex>` header a platform signs `body` with at `timestamp`."""
    return f"t={timestamp},v1={hmac_sha256_hex(secret, f'{timestamp}.'.encode() + body)}"


def verify_t_v1(body: bytes, header: str, secrets: Iterable[bytes], now: float) -> bool:
    parsed = parse_t_v1(header)
    if parsed is None or not within_window(parsed[0], now):
        return False
    return _any_match(f"{parsed[0]}.".encode() + body, parsed[1], secrets)


def _any_match(signed: bytes, signatures: list[str], secrets: Iterable[bytes]) -> bool:
    expected = [hmac_sha256_hex(secret, signed).encode() for secret in secrets]
    # Compare every pair so the time taken does not depend on which one matched.
    matches = [
        hmac.compare_digest(want, given.encode("ascii", "replace"))
        for want in expected
        for given in signatures
    ]
    return any(matches)


class SignedDigest:
    """`t=<unix>,sha256=<hex of the body>,v1=<hex HMAC-SHA256 of "<t>.<sha256>">`.

    For bodies too large to hold: the header alone is authenticated, before any of the body
    is read, and the body is then held to the signed digest while it streams in.
    """

    def __init__(self, digest: str) -> None:
        self._declared = digest.encode("ascii", "replace")
        self._hash = hashlib.sha256()

    @classmethod
    def verify(cls, header: str, secrets: Iterable[bytes], now: float) -> "SignedDigest | None":
        """The checker of an authentic, fresh header, or None."""
        fields = parse_fields(header) or {}
        stamps, digests, signatures = (fields.get(name, []) for name in ("t", "sha256", "v1"))
        if len(stamps) != 1 or len(digests) != 1 or not signatures:
            return None
        timestamp = parse_unix_timestamp(stamps[0])
        if timestamp is None or not within_window(timestamp, now):
            return None
        if not _any_match(f"{timestamp}.{digests[0]}".encode(), signatures, secrets):
            return None
        return cls(digests[0].lower())

    def update(self, chunk: bytes) -> None:
        self._hash.update(chunk)

    def matches(self) -> bool:
        """Whether the body read so far is the one that was signed."""
        return hmac.compare_digest(self._hash.hexdigest().encode(), self._declared)
