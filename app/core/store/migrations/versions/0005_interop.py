"""exchange formats: routes, the chat message log, CoT uids

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _shared() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hlc", sa.String(length=64), nullable=False),
        sa.Column("origin_site", sa.String(length=36), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("classification", sa.String(length=64), nullable=False),
        sa.Column("releasable_to", sa.String(length=512), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "route",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("waypoints", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("cot_uid", sa.String(length=255), nullable=True),
        sa.Column("last_report", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stale_after", sa.DateTime(timezone=True), nullable=True),
        *_shared(),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("route", schema=None) as batch_op:
        batch_op.create_index("ix_route_hlc", ["hlc"], unique=False)

    op.create_table(
        "chat_message",
        sa.Column("cot_uid", sa.String(length=255), nullable=False),
        sa.Column("chatroom", sa.String(length=200), nullable=False),
        sa.Column("sender_uid", sa.String(length=255), nullable=False),
        sa.Column("sender_callsign", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        *_shared(),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.create_index("ix_chat_message_hlc", ["hlc"], unique=False)
        batch_op.create_index("ix_chat_message_sent_at", ["sent_at"], unique=False)

    op.create_table(
        "cot_identity",
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("uid", sa.String(length=255), nullable=False),
        sa.PrimaryKeyConstraint("record_id"),
    )
    with op.batch_alter_table("cot_identity", schema=None) as batch_op:
        batch_op.create_index("ix_cot_identity_uid", ["uid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cot_identity", schema=None) as batch_op:
        batch_op.drop_index("ix_cot_identity_uid")
    op.drop_table("cot_identity")
    with op.batch_alter_table("chat_message", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_message_sent_at")
        batch_op.drop_index("ix_chat_message_hlc")
    op.drop_table("chat_message")
    with op.batch_alter_table("route", schema=None) as batch_op:
        batch_op.drop_index("ix_route_hlc")
    op.drop_table("route")
