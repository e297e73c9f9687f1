"""Participant sessions remember when evidence about them was last recorded, and whether
their end was a reconciliation's verdict (which later evidence may undo).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant_sessions") as batch:
        batch.add_column(sa.Column("observed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("closed_by_check", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("participant_sessions") as batch:
        batch.drop_column("closed_by_check")
        batch.drop_column("observed_at")
