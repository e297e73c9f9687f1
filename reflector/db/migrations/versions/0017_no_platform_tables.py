"""Platforms keep no rows in the service's database: the mock's record of who is in its rooms
moves to the mock's own files (`video_platforms/mock/rooms.py`).

What the table held was the mock's view of meetings that have ended or soon will; it is not
carried over, and the mock's sessions API starts afresh with the meetings created from now on.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.drop_table("mock_presence")


def downgrade() -> None:
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
