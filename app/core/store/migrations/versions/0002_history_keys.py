"""unit position history; site signing keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_position",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unit_position", schema=None) as batch_op:
        batch_op.create_index("ix_unit_position_unit_at", ["unit_id", "at"], unique=False)
    with op.batch_alter_table("site_profile", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signing_key", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("public_key", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site_profile", schema=None) as batch_op:
        batch_op.drop_column("public_key")
        batch_op.drop_column("signing_key")
    with op.batch_alter_table("unit_position", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_position_unit_at")

    op.drop_table("unit_position")
