"""Answers organisers add from chat to questions the bot could not answer.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.String(500), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["questions.id"],
            ondelete="SET NULL",
            name="fk_faq_answers_question_id_questions",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["people.id"],
            ondelete="SET NULL",
            name="fk_faq_answers_created_by_people",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_faq_answers"),
    )


def downgrade() -> None:
    op.drop_table("faq_answers")
