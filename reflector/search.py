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
    """What a transcript is found by: its record's words, then who said what."""
    record = [
        summary.get("title") or "",
        summary.get("text") or "",
        *summary.get("decisions", []),
        *(item["text"] for item in summary.get("action_items", [])),
    ]
    said = [f"{segment['speaker']}: {segment['text']}" for segment in segments]
    return "\n".join(part for part in [*record, *said] if part)


def excerpt(full_text: str, query: str | None) -> str:
    """Some of `full_text` around the first word of `query` it holds, else its beginning."""
    start = 0
    for word in words(query or ""):
        found = re.search(rf"\b{re.escape(word)}\b", full_text, re.IGNORECASE)
        if found:
            start = max(0, found.start() - EXCERPT_CHARACTERS // 3)
            break
    shown = full_text[start : start + EXCERPT_CHARACTERS].strip()
    return (
        ("…" if start else "")
        + shown
        + ("…" if start + EXCERPT_CHARACTERS < len(full_text) else "")
    )
