"""Fencing: each lease carries an epoch, raised whenever it changes hands (or is taken
again after it ran out), which a sender's "sending" mark is compared against.

Revision ID: 0010
Revises: 0009_kept_tallies
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009_kept_tallies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("leases") as batch:
        batch.add_column(sa.Column("epoch", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("leases") as batch:
        batch.drop_column("epoch")
