"""Dashboard sign-in links already used, by nonce, so that each opens one session only.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_links",
        sa.Column("nonce", sa.String(length=64), primary_key=True),
        sa.Column("used_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_dashboard_links_expires_at", "dashboard_links", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_dashboard_links_expires_at", table_name="dashboard_links")
    op.drop_table("dashboard_links")
