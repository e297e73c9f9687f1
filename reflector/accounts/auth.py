"""API keys: random, shown once, stored as SHA-256 digests."""

import contextlib
import hashlib
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select, update

from reflector.db import ApiKey, Database
from reflector.infra.clock import Clock

KEY_PREFIX = "rfl_"
LOCAL_USER = "local"


@dataclass(frozen=True)
class Caller:
    user_id: str


def digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


async def authenticate(db: Database, key: str) -> Caller | None:
    # Keys carry 256 random bits, so looking one up by its digest reveals nothing useful.
    async with db.read() as session:
        row = await session.scalar(
            select(ApiKey).where(ApiKey.key_hash == digest(key), ApiKey.revoked_at.is_(None))
        )
    return Caller(user_id=row.user_id) if row else None


async def create_api_key(db: Database, clock: Clock, name: str, user_id: str) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    async with db.write() as session:
        taken = await session.scalar(
            select(ApiKey.id).where(ApiKey.name == name, ApiKey.user_id == user_id)
        )
        if taken is not None:
            raise ValueError(f"you have an API key named {name!r} already")
        session.add(
            ApiKey(
                name=name,
                user_id=user_id,
                key_hash=digest(key),
                prefix=key[: len(KEY_PREFIX) + 4],
                created_at=clock(),
            )
        )
    return key


async def list_api_keys(db: Database, user_id: str | None = None) -> list[ApiKey]:
    """Every key, or only `user_id`'s."""
    query = select(ApiKey).order_by(ApiKey.created_at)
    if user_id is not None:
        query = query.where(ApiKey.user_id == user_id)
    async with db.read() as session:
        return list((await session.scalars(query)).all())


async def revoke_api_key(
    db: Database, clock: Clock, name_or_id: str, user_id: str | None = None
) -> bool:
    """Revoke the key (only if it is `user_id`'s, when given); False if there was none."""
    match = [ApiKey.name == name_or_id]
    with contextlib.suppress(ValueError):
        match.append(ApiKey.id == uuid.UUID(name_or_id))
    conditions = [or_(*match), ApiKey.revoked_at.is_(None)]
    if user_id is not None:
        conditions.append(ApiKey.user_id == user_id)
    async with db.write() as session:
        matching = (await session.scalars(select(ApiKey.id).where(*conditions))).all()
        if len(matching) > 1:
            raise ValueError(f"several users have a key named {name_or_id!r}: revoke it by id")
        result = await session.execute(
            update(ApiKey).where(*conditions).values(revoked_at=clock()).returning(ApiKey.id)
        )
        return result.first() is not None
