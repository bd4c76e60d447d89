"""Exactly once: the sending lease, claims with an owner and an expiry, request keys seen,
and who asked each unanswered question.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(160), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_leases"),
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(160), nullable=True))
        batch.add_column(sa.Column("claim_expires_at", UTCDateTime(), nullable=True))
    op.create_table(
        "request_keys",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_request_keys"),
    )
    op.create_index("ix_request_keys_seen_at", "request_keys", ["seen_at"])
    op.create_table(
        "question_askers",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            ondelete="CASCADE",
            name="fk_question_askers_question_id_questions",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            ondelete="CASCADE",
            name="fk_question_askers_person_id_people",
        ),
        sa.PrimaryKeyConstraint("question_id", "person_id", name="pk_question_askers"),
    )
    op.create_index("ix_question_askers_person_id", "question_askers", ["person_id"])


def downgrade() -> None:
    op.drop_index("ix_question_askers_person_id", table_name="question_askers")
    op.drop_table("question_askers")
    op.drop_index("ix_request_keys_seen_at", table_name="request_keys")
    op.drop_table("request_keys")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("claim_expires_at")
        batch.drop_column("claimed_by")
    op.drop_table("leases")
