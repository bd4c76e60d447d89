"""Branch pipeline: forms sent, confirmation in the official report, retired branches.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("nominations") as batch:
        batch.add_column(sa.Column("form_sent_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("form_official", sa.String(120), nullable=True))
        batch.add_column(sa.Column("confirmed_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("branches") as batch:
        batch.add_column(
            sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    with op.batch_alter_table("branches") as batch:
        batch.drop_column("active")
    with op.batch_alter_table("nominations") as batch:
        batch.drop_column("confirmed_at")
        batch.drop_column("form_official")
        batch.drop_column("form_sent_at")
