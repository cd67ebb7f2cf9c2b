"""task references need not be unique across sites

Two sites with the same reference prefix (a store copied to a second laptop,
two sites whose names begin alike) number their tasks independently; a unique
index made the sync of the second one fail.  Uniqueness is kept where it can be
kept, within one store's own numbering (``save_tasks``), not by the index.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_index("ix_task_reference")
        batch.create_index("ix_task_reference", ["reference"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task") as batch:
        batch.drop_index("ix_task_reference")
        batch.create_index("ix_task_reference", ["reference"], unique=True)
