"""Consent and retention: rooms ask people before recording them and keep media and
transcripts for as long as they say; answers are kept per meeting; recordings carry what
consent did to them and when their files and transcript were deleted.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("rooms") as batch:
        batch.add_column(sa.Column("consent", sa.String(8), server_default="none", nullable=False))
        batch.add_column(sa.Column("consent_default", sa.String(8), nullable=True))
        batch.add_column(
            sa.Column(
                "mixed_on_refusal", sa.String(16), server_default="transcribe", nullable=False
            )
        )
        batch.add_column(sa.Column("retention_media_days", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("retention_transcript_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("consent", sa.JSON(), server_default="{}", nullable=False))
        batch.add_column(sa.Column("processed_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("media_deleted_at", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("transcript_deleted_at", UTC_DATETIME, nullable=True))
    op.create_table(
        "consent_answers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("answer", sa.String(8), nullable=False),
        sa.Column("answered_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meetings.id"],
            name=op.f("fk_consent_answers_meeting_id_meetings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_answers")),
    )
    op.create_index("ix_consent_answers_meeting_id", "consent_answers", ["meeting_id"])
    op.create_index("ix_consent_answers_user_id", "consent_answers", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_consent_answers_user_id", table_name="consent_answers")
    op.drop_index("ix_consent_answers_meeting_id", table_name="consent_answers")
    op.drop_table("consent_answers")
    with op.batch_alter_table("recordings") as batch:
        for column in ("transcript_deleted_at", "media_deleted_at", "processed_at", "consent"):
            batch.drop_column(column)
    with op.batch_alter_table("rooms") as batch:
        for column in (
            "retention_transcript_days",
            "retention_media_days",
            "mixed_on_refusal",
            "consent_default",
            "consent",
        ):
            batch.drop_column(column)
