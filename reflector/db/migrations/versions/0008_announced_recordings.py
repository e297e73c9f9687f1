"""Recordings announced by a platform exist before their files are ours: storage key, size
and digest are set when the fetch completes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.alter_column("storage_key", existing_type=sa.String(512), nullable=True)
        batch.alter_column("size", existing_type=sa.BigInteger(), nullable=True)
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM recordings WHERE storage_key IS NULL")
    with op.batch_alter_table("recordings") as batch:
        batch.alter_column("storage_key", existing_type=sa.String(512), nullable=False)
        batch.alter_column("size", existing_type=sa.BigInteger(), nullable=False)
        batch.alter_column("sha256", existing_type=sa.String(64), nullable=False)
