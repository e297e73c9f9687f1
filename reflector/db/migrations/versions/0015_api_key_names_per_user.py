"""An API key's name is unique among its user's keys, not among everyone's: a name taken by
another user is none of this user's business.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint(batch.f("uq_api_keys_name"), type_="unique")
        batch.create_unique_constraint(batch.f("uq_api_keys_user_id_name"), ["user_id", "name"])


def downgrade() -> None:
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_constraint(batch.f("uq_api_keys_user_id_name"), type_="unique")
        batch.create_unique_constraint(batch.f("uq_api_keys_name"), ["name"])
