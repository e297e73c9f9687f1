"""Rate limits on the routes that mint join links and tokens.

Fixed one-minute windows counted in the database, so the limits hold across any number of
API processes: a user may ask for a limited number of links a minute, and so may an address.
"""

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import RateLimitWindow
from reflector.db.upsert import insert
from reflector.infra.errors import ServiceError

WINDOW = timedelta(minutes=1)


class RateLimited(ServiceError):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


async def take(session: AsyncSession, limits: dict[str, int], now: datetime) -> None:
    """Count one request against each `key: limit` (0: unlimited); over any, RateLimited."""
    for key, limit in limits.items():
        if limit <= 0:
            continue
        counted = await record(session, key, now)
        if counted > limit:
            raise RateLimited(f"more than {limit} requests a minute; retry later", retry_after(now))


async def record(session: AsyncSession, key: str, now: datetime) -> int:
    """Count one more under `key` in this window; the count so far."""
    statement = insert(session, RateLimitWindow).values(key=key, window_start=_start(now), count=1)
    counted = await session.scalar(
        statement.on_conflict_do_update(
            index_elements=[RateLimitWindow.key, RateLimitWindow.window_start],
            set_={"count": RateLimitWindow.count + 1},
        ).returning(RateLimitWindow.count)
    )
    return counted or 0


async def counted(session: AsyncSession, key: str, now: datetime) -> int:
    """How many were counted under `key` in this window."""
    found = await session.scalar(
        select(RateLimitWindow.count).where(
            RateLimitWindow.key == key, RateLimitWindow.window_start == _start(now)
        )
    )
    return found or 0


def retry_after(now: datetime) -> int:
    """Seconds until the next window."""
    return max(1, math.ceil((_start(now) + WINDOW - now).total_seconds()))


def _start(now: datetime) -> datetime:
    return datetime.fromtimestamp(
        math.floor(now.timestamp() / WINDOW.total_seconds()) * WINDOW.total_seconds(), now.tzinfo
    )


async def forget_before(session: AsyncSession, before: datetime) -> None:
    await session.execute(delete(RateLimitWindow).where(RateLimitWindow.window_start < before))
