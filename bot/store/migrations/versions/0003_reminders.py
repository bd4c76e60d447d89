"""Reminders: the delivery log, broadcast channels, help requests, scheduler state.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from bot.store.schema import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rule_id", sa.String(60), nullable=False),
        sa.Column("recipient", sa.String(120), nullable=False),
        sa.Column("occurrence", sa.String(60), nullable=False),
        sa.Column("audience", sa.String(20), nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("branch_code", sa.String(40), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("nonce", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.Column("message_ref", sa.String(80), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            ondelete="CASCADE",
            name="fk_deliveries_person_id_people",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.UniqueConstraint("rule_id", "recipient", "occurrence", name="uq_deliveries_rule_id"),
    )
    op.create_index("ix_deliveries_status", "deliveries", ["status"])
    op.create_index("ix_deliveries_recipient", "deliveries", ["recipient"])
    op.create_table(
        "broadcast_channels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(20), nullable=False),
        sa.Column("channel_id", sa.String(64), nullable=False),
        sa.Column("subscribed_by", sa.Integer(), nullable=True),
        sa.Column("subscribed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscribed_by"],
            ["people.id"],
            ondelete="SET NULL",
            name="fk_broadcast_channels_subscribed_by_people",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_broadcast_channels"),
        sa.UniqueConstraint("platform", "channel_id", name="uq_broadcast_channels_platform"),
    )
    op.create_table(
        "help_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("branch_code", sa.String(40), nullable=True),
        sa.Column("asked_at", UTCDateTime(), nullable=False),
        sa.Column("handled_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            ondelete="CASCADE",
            name="fk_help_requests_person_id_people",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_help_requests"),
    )
    op.create_table(
        "scheduler_state",
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_scheduler_state"),
    )
    with op.batch_alter_table("volunteers") as batch:
        batch.add_column(sa.Column("undeliverable_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("volunteers") as batch:
        batch.drop_column("undeliverable_at")
    for table in ("scheduler_state", "help_requests", "broadcast_channels", "deliveries"):
        op.drop_table(table)
