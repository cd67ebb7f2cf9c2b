"""initial: site profile, units, crisis zones and the change log

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crisis_zone",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("min_lat", sa.Float(), nullable=False),
        sa.Column("min_lon", sa.Float(), nullable=False),
        sa.Column("max_lat", sa.Float(), nullable=False),
        sa.Column("max_lon", sa.Float(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("crisis_zone", schema=None) as batch_op:
        batch_op.create_index("ix_crisis_zone_hlc", ["hlc"], unique=False)

    op.create_table(
        "site_profile",
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_hlc", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("site_id"),
    )
    op.create_table(
        "sync_change",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("origin_seq", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("op", sa.String(length=8), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("base_hlc", sa.String(length=64), nullable=True),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.create_index("ix_sync_change_origin", ["origin_site", "origin_seq"], unique=True)
        batch_op.create_index("ix_sync_change_row", ["table_name", "row_id"], unique=False)

    op.create_table(
        "unit",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("callsign", sa.String(length=64), nullable=False),
        sa.Column("nation", sa.String(length=16), nullable=False),
        sa.Column("affiliation", sa.String(length=16), nullable=False),
        sa.Column("sidc", sa.String(length=30), nullable=False),
        sa.Column("cot_type", sa.String(length=64), nullable=True),
        sa.Column("echelon", sa.String(length=32), nullable=True),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("course", sa.Float(), nullable=True),
        sa.Column("speed", sa.Float(), nullable=True),
        sa.Column("readiness", sa.String(length=8), nullable=False),
        sa.Column("strength", sa.Integer(), nullable=False),
        sa.Column("last_report", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stale_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remarks", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index("ix_unit_hlc", ["hlc"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_hlc")

    op.drop_table("unit")
    with op.batch_alter_table("sync_change", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_change_row")
        batch_op.drop_index("ix_sync_change_origin")

    op.drop_table("sync_change")
    op.drop_table("site_profile")
    with op.batch_alter_table("crisis_zone", schema=None) as batch_op:
        batch_op.drop_index("ix_crisis_zone_hlc")

    op.drop_table("crisis_zone")
