"""sync: trusted peers, cursors, conflict log, imported bundles, store identity

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_peer",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("site_id", sa.String(length=36), nullable=False),
        sa.Column("site_name", sa.String(length=200), nullable=False),
        sa.Column("partner", sa.String(length=32), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("box_key", sa.LargeBinary(), nullable=False),
        sa.Column("trusted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("sync_peer", schema=None) as batch_op:
        batch_op.create_index("ix_sync_peer_site_id", ["site_id"], unique=False)
    op.create_table(
        "sync_cursor",
        sa.Column("peer", sa.String(length=300), nullable=False),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("last_sync", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("peer"),
    )
    op.create_table(
        "sync_conflict",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("row_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=False),
        sa.Column("kept", sa.Text(), nullable=True),
        sa.Column("kept_hlc", sa.String(length=64), nullable=False),
        sa.Column("lost", sa.Text(), nullable=True),
        sa.Column("lost_hlc", sa.String(length=64), nullable=False),
        sa.Column("lost_who", sa.String(length=200), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reversed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_conflict_key", ["table_name", "row_id", "field", "lost_hlc"], unique=True
        )
    op.create_table(
        "sync_bundle",
        sa.Column("bundle_id", sa.String(length=36), nullable=False),
        sa.Column("source_site", sa.String(length=36), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bundle_id"),
    )
    op.create_table(
        "sync_local",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    # unpushed rows are found by seq; the server pulls by seq: both are the primary key


def downgrade() -> None:
    op.drop_table("sync_local")
    op.drop_table("sync_bundle")
    with op.batch_alter_table("sync_conflict", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_conflict_key")
    op.drop_table("sync_conflict")
    op.drop_table("sync_cursor")
    with op.batch_alter_table("sync_peer", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_peer_site_id")
    op.drop_table("sync_peer")
