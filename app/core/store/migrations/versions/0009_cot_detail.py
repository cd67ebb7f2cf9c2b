"""cot detail: a track's TAK team and its point's height and errors

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cot_identity") as batch:
        batch.add_column(
            sa.Column("group_name", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("group_role", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("hae", sa.Float(), nullable=True))
        batch.add_column(sa.Column("ce", sa.Float(), nullable=True))
        batch.add_column(sa.Column("le", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cot_identity") as batch:
        for name in ("le", "ce", "hae", "group_role", "group_name"):
            batch.drop_column(name)
