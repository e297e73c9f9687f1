"""Signed-in browsers: an opaque random token in the cookie, its digest and a CSRF token here.

The token is looked up by its SHA-256 digest, as API keys are: a leaked database row cannot be
replayed as a cookie, and signing out deletes the row, which ends the session in every process.
"""

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select

from reflector.accounts.auth import digest
from reflector.db import Database, WebSession
from reflector.infra.clock import Clock


@dataclass(frozen=True)
class Session:
    token: str
    user_id: str
    csrf_token: str


async def start(db: Database, clock: Clock, user_id: str, lifetime: timedelta) -> Session:
    token = secrets.token_urlsafe(32)
    csrf_token = secrets.token_urlsafe(32)
    now = clock()
    async with db.write() as session:
        session.add(
            WebSession(
                key_hash=digest(token),
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=now,
                expires_at=now + lifetime,
            )
        )
    return Session(token=token, user_id=user_id, csrf_token=csrf_token)


async def find(db: Database, clock: Clock, token: str) -> Session | None:
    async with db.read() as session:
        row = await session.scalar(
            select(WebSession).where(
                WebSession.key_hash == digest(token), WebSession.expires_at > clock()
            )
        )
    return Session(token=token, user_id=row.user_id, csrf_token=row.csrf_token) if row else None


async def end(db: Database, token: str) -> None:
    async with db.write() as session:
        await session.execute(delete(WebSession).where(WebSession.key_hash == digest(token)))


def csrf_matches(session: Session, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(
        session.csrf_token.encode(), offered.encode("utf-8", "replace")
    )
