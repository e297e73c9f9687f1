"""The summarizing stage, and the job that summarizes a transcript again.

A summary that cannot be made (no server configured, nothing said, a server that fails or
answers nonsense twice) is stored as such with the reason; the transcript is done either
way, and its owner may ask for the summary again.
"""

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from reflector import jobs
from reflector.config.settings import Settings
from reflector.db import Transcript
from reflector.jobs import JobContext
from reflector.recordings import search
from reflector.recordings.pipeline.reasons import for_people
from reflector.recordings.pipeline.summary.chat import Chat, SummaryFailed
from reflector.recordings.pipeline.summary.record import Budget, lines_of, make_record
from reflector.recordings.pipeline.work import RecordingGone, Told, Work

TURN_ON = "set LLM_API_URL and LLM_MODEL to have meetings summarized"


def summary(status: str, **fields: Any) -> dict[str, Any]:
    """A stored summary: every field there, whatever its status."""
    empty: dict[str, Any] = {
        "title": None,
        "text": None,
        "topics": [],
        "decisions": [],
        "action_items": [],
        "model": None,
        "error": None,
    }
    return {"status": status, **empty, **fields}


async def summarize(work: Work, told: Told) -> None:
    if work.transcript_id is None or not await summarize_transcript(
        work.ctx, work.transcript_id, told
    ):
        raise RecordingGone


async def summarize_transcript(
    ctx: JobContext, transcript_id: uuid.UUID, told: Callable[[float], None]
) -> bool:
    """Summarize the transcript and store the outcome; False if it is gone."""
    settings = ctx.config.settings
    async with ctx.db.write() as session:
        transcript = await session.get(Transcript, transcript_id)
        if transcript is None:
            return False
        segments, language = list(transcript.segments), transcript.language
        skipped = _skipped(settings, segments)
        if skipped is None:
            transcript.summary = summary("pending", model=settings.LLM_MODEL)
    outcome = skipped or await _written(settings, segments, language, told)
    async with ctx.db.write() as session:
        transcript = await session.get(Transcript, transcript_id)
        if transcript is None:
            return False
        transcript.summary = outcome
        transcript.text = search.document(transcript.segments, outcome)
    return True


def _skipped(settings: Settings, segments: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The summary there is when there is nothing to ask a model; None when there is."""
    if settings.LLM_API_URL is None:
        return summary("skipped", error=f"Summaries are off: {TURN_ON}.")
    if not segments:
        return summary("skipped", error="Nothing was said.")
    return None


async def _written(
    settings: Settings,
    segments: list[dict[str, Any]],
    language: str,
    told: Callable[[float], None],
) -> dict[str, Any]:
    """The summary the model writes, or why it could not."""
    budget = Budget(settings.LLM_CONTEXT_TOKENS)
    chat = Chat(settings, budget.answer)
    try:
        record = await make_record(chat, lines_of(segments), language, budget, told)
        return summary("done", model=chat.model, **record.as_json())
    except SummaryFailed as exc:
        return summary("failed", model=chat.model, error=f"{exc}.")
    finally:
        await chat.close()


async def _summarize_again(ctx: JobContext, args: jobs.JobArgs) -> None:
    await summarize_transcript(ctx, uuid.UUID(str(args["transcript_id"])), lambda _: None)


def active_key(transcript_id: uuid.UUID) -> str:
    return f"summarize:{transcript_id}"


async def _give_up(session: AsyncSession, args: jobs.JobArgs, reason: str) -> None:
    transcript = await session.get(Transcript, uuid.UUID(str(args["transcript_id"])))
    if transcript is not None:
        transcript.summary = summary("failed", error=f"Summarizing failed: {for_people(reason)}")


SUMMARIZE_TRANSCRIPT = jobs.JobSpec(
    "reflector.summarize_transcript",
    _summarize_again,
    soft_time_limit=3600,
    time_limit=3600 + 120,
    max_attempts=3,
    on_give_up=_give_up,
)
