"""The mock platform's own record of presence (its sessions API).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mock_presence",
        sa.Column("room_name", sa.String(255), nullable=False),
        sa.Column("participant_id", sa.String(255), nullable=False),
        sa.Column("user_name", sa.String(255), nullable=True),
        sa.Column("is_recorder", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("joined_at", UTC_DATETIME, nullable=True),
        sa.Column("left_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("room_name", "participant_id", name=op.f("pk_mock_presence")),
    )


def downgrade() -> None:
    op.drop_table("mock_presence")
