"""Branches, people, volunteers, meetings, nominations with their history, and questions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "branches",
        sa.Column("code", sa.String(40), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("group_name", sa.String(80), nullable=False, server_default=""),
        sa.Column("region", sa.String(80), nullable=False, server_default=""),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_branches"),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("platform_user_id", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(80), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_people"),
        sa.UniqueConstraint("platform", "platform_user_id", name="uq_people_platform"),
    )
    op.create_table(
        "volunteers",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("branch_code", sa.String(40), nullable=False),
        sa.Column("consent_at", UTCDateTime(), nullable=False),
        sa.Column("consent_text", sa.Text(), nullable=False),
        sa.Column("opted_out", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("opted_out_at", UTCDateTime(), nullable=True),
        sa.Column("snoozed_until", UTCDateTime(), nullable=True),
        sa.Column("signed_up_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            ondelete="CASCADE",
            name="fk_volunteers_person_id_people",
        ),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name="fk_volunteers_branch_code_branches"
        ),
        sa.PrimaryKeyConstraint("person_id", name="pk_volunteers"),
    )
    op.create_index("ix_volunteers_branch_code", "volunteers", ["branch_code"])
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("branch_code", sa.String(40), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("notice_date", sa.Date(), nullable=True),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name="fk_meetings_branch_code_branches"
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["people.id"],
            ondelete="SET NULL",
            name="fk_meetings_reported_by_people",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_meetings"),
    )
    op.create_index("ix_meetings_branch_code", "meetings", ["branch_code"])
    op.create_table(
        "nominations",
        sa.Column("branch_code", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("nominee", sa.String(120), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("reported_by", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("reported_at", UTCDateTime(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("verified_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["branch_code"], ["branches.code"], name="fk_nominations_branch_code_branches"
        ),
        sa.ForeignKeyConstraint(
            ["reported_by"],
            ["people.id"],
            ondelete="SET NULL",
            name="fk_nominations_reported_by_people",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by"],
            ["people.id"],
            ondelete="SET NULL",
            name="fk_nominations_verified_by_people",
        ),
        sa.PrimaryKeyConstraint("branch_code", name="pk_nominations"),
    )
    op.create_table(
        "nomination_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("branch_code", sa.String(40), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=True),
        sa.Column("nominee", sa.String(120), nullable=True),
        sa.Column("meeting_date", sa.Date(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["branch_code"],
            ["branches.code"],
            name="fk_nomination_history_branch_code_branches",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            ondelete="SET NULL",
            name="fk_nomination_history_person_id_people",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_nomination_history"),
    )
    op.create_index("ix_nomination_history_branch_code", "nomination_history", ["branch_code"])
    op.create_table(
        "questions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("normalised", sa.String(500), nullable=False),
        sa.Column("asked_count", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("first_asked_at", UTCDateTime(), nullable=False),
        sa.Column("last_asked_at", UTCDateTime(), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_questions"),
        sa.UniqueConstraint("normalised", name="uq_questions_normalised"),
    )


def downgrade() -> None:
    for table in (
        "questions",
        "nomination_history",
        "nominations",
        "meetings",
        "volunteers",
        "people",
        "branches",
    ):
        op.drop_table(table)
