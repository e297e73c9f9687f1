"""Transcripts say which engine and model made them and each speaker's language; a job may
hold a key only while it is live (one processing of a recording at a time); fetching a
recording became the first stage of processing it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ALTER TABLE, not a batch: rebuilding `transcripts` on SQLite would drop the
    # triggers that keep its search index (0011) in step.
    op.add_column(
        "transcripts", sa.Column("languages", sa.JSON(), server_default="{}", nullable=False)
    )
    op.add_column(
        "transcripts", sa.Column("engine", sa.String(32), server_default="", nullable=False)
    )
    op.add_column(
        "transcripts", sa.Column("model", sa.String(512), server_default="", nullable=False)
    )
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("active_key", sa.String(255), nullable=True))
        batch.create_unique_constraint(batch.f("uq_jobs_active_key"), ["active_key"])
    # Fetch jobs queued before the upgrade are processing jobs now: the same argument, and
    # processing starts by fetching what is not in storage yet.
    op.execute(
        "UPDATE jobs SET task = 'reflector.process_recording', dedupe_key = NULL "
        "WHERE task = 'reflector.fetch_recording' AND state IN ('pending', 'running')"
    )


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_constraint(batch.f("uq_jobs_active_key"), type_="unique")
        batch.drop_column("active_key")
    for column in ("model", "engine", "languages"):
        op.drop_column("transcripts", column)
