"""Byte streams read off the event loop, and counted as they pass."""

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

READ_BYTES = 1024 * 1024


async def chunks_of(readable: Any, limit: int | None = None) -> AsyncIterator[bytes]:
    """What a blocking `readable.read(n)` (a file, boto3's streaming body) gives, read off
    the event loop, up to `limit` bytes if given."""
    left = limit
    while left is None or left > 0:
        chunk = await asyncio.to_thread(
            readable.read, READ_BYTES if left is None else min(READ_BYTES, left)
        )
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


async def file_chunks(path: Path) -> AsyncIterator[bytes]:
    """A local file, read off the event loop."""
    with path.open("rb") as file:
        async for chunk in chunks_of(file):
            yield chunk


async def reporting(
    chunks: AsyncIterator[bytes], total: int | None, told: Callable[[float], None] | None
) -> AsyncIterator[bytes]:
    """`chunks` unchanged, telling `told` the fraction of `total` bytes passed on so far
    (nothing when the total is unknown)."""
    received = 0
    async for chunk in chunks:
        received += len(chunk)
        if told is not None and total:
            told(received / total)
        yield chunk
