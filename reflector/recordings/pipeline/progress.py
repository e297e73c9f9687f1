"""Where a recording's processing is, for the people watching it: the stage it is in (one of
`pipeline.stages.STAGES`, then `done`), how far the whole of it has come (0 to 1), and the
duration as soon as the media is probed. The work runs in threads and only notes where it
is; the job's loop writes that down at most once a second."""

import asyncio
import uuid
from types import TracebackType
from typing import Self

from sqlalchemy import update

from reflector.db import Database, Recording

WRITE_EVERY_SECONDS = 1.0
# The stage of a recording whose processing is over.
DONE = "done"


class ProgressWriter:
    """`async with ProgressWriter(db, recording_id) as progress:` then, from any thread,
    `progress.at(stage, fraction)` and `progress.duration(seconds)`."""

    def __init__(self, db: Database, recording_id: uuid.UUID) -> None:
        self._db = db
        self._recording_id = recording_id
        self._noted: dict[str, object] = {}
        self._written: dict[str, object] = {}
        self._task: asyncio.Task[None] | None = None

    def at(self, stage: str, fraction: float) -> None:
        # One dict assignment: safe from a worker thread under the GIL.
        self._noted = {**self._noted, "stage": stage, "progress": _bounded(fraction)}

    def duration(self, seconds: float) -> None:
        self._noted = {**self._noted, "duration": seconds}

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._keep_writing())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self._write()

    async def _keep_writing(self) -> None:
        while True:
            await asyncio.sleep(WRITE_EVERY_SECONDS)
            await self._write()

    async def _write(self) -> None:
        noted = self._noted
        if noted == self._written:
            return
        async with self._db.write() as session:
            await session.execute(
                update(Recording).where(Recording.id == self._recording_id).values(**noted)
            )
        self._written = noted


def _bounded(fraction: float) -> float:
    return round(min(1.0, max(0.0, fraction)), 3)
