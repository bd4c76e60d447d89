"""The ballot: whether each volunteer has voted, and how many colleagues they asked.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ballot_actions",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("voted_at", UTCDateTime(), nullable=True),
        sa.Column("pledged", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            ondelete="CASCADE",
            name="fk_ballot_actions_person_id_people",
        ),
        sa.PrimaryKeyConstraint("person_id", name="pk_ballot_actions"),
    )


def downgrade() -> None:
    op.drop_table("ballot_actions")
