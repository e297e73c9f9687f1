"""Rooms get a human title beside their URL-safe name; recordings show the stage of their
processing and how far into it they are.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("rooms") as batch:
        batch.add_column(sa.Column("title", sa.String(200), nullable=True))
    with op.batch_alter_table("recordings") as batch:
        batch.add_column(sa.Column("stage", sa.String(16), nullable=True))
        batch.add_column(sa.Column("progress", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("progress")
        batch.drop_column("stage")
    with op.batch_alter_table("rooms") as batch:
        batch.drop_column("title")
