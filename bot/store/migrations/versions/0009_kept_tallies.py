"""The purge keeps per-branch tallies (volunteers, voted, colleagues asked).

Revision ID: 0009_kept_tallies
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0009_kept_tallies"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kept_tallies",
        sa.Column("branch_code", sa.String(length=40), nullable=False),
        sa.Column("volunteers", sa.Integer(), server_default="0", nullable=False),
        sa.Column("voted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("pledged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("kept_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name="fk_kept_tallies_branch_code_branches"
        ),
        sa.PrimaryKeyConstraint("branch_code", name="pk_kept_tallies"),
    )


def downgrade() -> None:
    op.drop_table("kept_tallies")
