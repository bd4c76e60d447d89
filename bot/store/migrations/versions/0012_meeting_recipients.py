"""Who has had each meeting's invitation, and the last change they have, so that every
later change reaches them.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "meeting_recipients",
        sa.Column("uid", sa.String(length=80), primary_key=True),
        sa.Column(
            "person_id",
            sa.Integer(),
            sa.ForeignKey("people.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("sequence", sa.Integer(), nullable=False),
    )
    op.create_index("ix_meeting_recipients_person_id", "meeting_recipients", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_recipients_person_id", table_name="meeting_recipients")
    op.drop_table("meeting_recipients")
