"""Full-text search over transcripts, one interface over two engines: SQLite's FTS5 and
PostgreSQL's text search (migration 0011). Both match every word of the query, case- and
language-neutrally, so a search finds the same transcripts on either database."""

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, TextClause, func, text
from sqlalchemy.ext.asyncio import AsyncSession

from reflector.db import Transcript
from reflector.db.upsert import dialect_of

_WORD = re.compile(r"\w+")
EXCERPT_CHARACTERS = 160


def words(query: str) -> list[str]:
    return _WORD.findall(query)


def matching(session: AsyncSession, query: str) -> ColumnElement[bool] | TextClause:
    """A condition on `Transcript`: its text holds every word of `query` (none: nothing)."""
    found = words(query)
    if not found:
        return text("1 = 0")
    if dialect_of(session) == "postgresql":
        searched = func.to_tsvector("simple", Transcript.text)
        return searched.op("@@")(func.plainto_tsquery("simple", " ".join(found)))
    # FTS5's own syntax is not for users: each word becomes a quoted term, all required.
    terms = " ".join('"' + word.replace('"', '""') + '"' for word in found)
    return text(
        "transcripts.rowid IN "
        "(SELECT rowid FROM transcript_search WHERE transcript_search MATCH :terms)"
    ).bindparams(terms=terms)


def document(segments: Sequence[dict[str, Any]], summary: dict[str, Any]) -> str:
    """What a transcript is found by, one passage a line, each readable alone (an excerpt is
    one of them): the summary's paragraphs, decisions and action items, who said what, and
    the title last, so that a transcript's first line says what it is about."""
    record = [
        *(summary.get("text") or "").splitlines(),
        *summary.get("decisions", []),
        *(item["text"] for item in summary.get("action_items", [])),
    ]
    said = [f"{segment['speaker']}: {segment['text']}" for segment in segments]
    title = [summary.get("title") or ""]
    return "\n".join(part.strip() for part in [*record, *said, *title] if part.strip())


def excerpt(full_text: str, query: str | None) -> str:
    """Some of the first passage (line) of `full_text` that holds a word of `query`, around
    that word; without one, the beginning of its first passage."""
    passage, at = _found(full_text.splitlines() or [""], query)
    # Around the word, but as much of the passage as fits: a short one is shown whole.
    start = max(0, min(at - EXCERPT_CHARACTERS // 3, len(passage) - EXCERPT_CHARACTERS))
    shown = passage[start : start + EXCERPT_CHARACTERS].strip()
    return (
        ("…" if start else "") + shown + ("…" if start + EXCERPT_CHARACTERS < len(passage) else "")
    )


def _found(passages: list[str], query: str | None) -> tuple[str, int]:
    """The first passage holding a word of `query` (in the query's order), and where."""
    for word in words(query or ""):
        pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
        for passage in passages:
            if match := pattern.search(passage):
                return passage, match.start()
    return passages[0], 0
