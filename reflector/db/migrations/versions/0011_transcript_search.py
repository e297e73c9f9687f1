"""Transcripts keep their text whole, searchable: SQLite's FTS5 (an external-content index
kept in step by triggers), PostgreSQL's full-text search (a GIN index on its tsvector).
Both use language-neutral tokens ('simple', 'unicode61'): transcripts come in any language.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE = (
    "CREATE VIRTUAL TABLE transcript_search USING fts5("
    "text, content='transcripts', content_rowid='rowid', tokenize='unicode61')",
    "CREATE TRIGGER transcripts_search_insert AFTER INSERT ON transcripts BEGIN "
    "INSERT INTO transcript_search(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER transcripts_search_delete AFTER DELETE ON transcripts BEGIN "
    "INSERT INTO transcript_search(transcript_search, rowid, text) "
    "VALUES ('delete', old.rowid, old.text); END",
    "CREATE TRIGGER transcripts_search_update AFTER UPDATE OF text ON transcripts BEGIN "
    "INSERT INTO transcript_search(transcript_search, rowid, text) "
    "VALUES ('delete', old.rowid, old.text); "
    "INSERT INTO transcript_search(rowid, text) VALUES (new.rowid, new.text); END",
)


def upgrade() -> None:
    with op.batch_alter_table("transcripts") as batch:
        batch.add_column(sa.Column("text", sa.Text(), nullable=False, server_default=""))
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, segments FROM transcripts")).all()
    for transcript_id, segments in rows:
        parsed = json.loads(segments) if isinstance(segments, str) else segments
        text = " ".join(str(segment.get("text", "")) for segment in parsed or [])
        connection.execute(
            sa.text("UPDATE transcripts SET text = :text WHERE id = :id"),
            {"text": text, "id": transcript_id},
        )
    if connection.dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_transcripts_text_search ON transcripts "
            "USING GIN (to_tsvector('simple', text))"
        )
    else:
        for statement in _SQLITE:
            op.execute(statement)
        op.execute("INSERT INTO transcript_search(transcript_search) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_transcripts_text_search")
    else:
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER transcripts_search_{trigger}")
        op.execute("DROP TABLE transcript_search")
    with op.batch_alter_table("transcripts") as batch:
        batch.drop_column("text")
