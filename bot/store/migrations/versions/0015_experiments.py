"""Wording experiments: the wording each delivery record carries (a variant's id, or
`holdout` for a message withheld from the holdout), so the report can count each group.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("variant", sa.String(length=20), nullable=True))
    op.create_index("ix_deliveries_rule_id_variant", "deliveries", ["rule_id", "variant"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_rule_id_variant", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("variant")
