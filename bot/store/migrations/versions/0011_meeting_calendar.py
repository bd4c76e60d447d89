"""Meetings as calendar entries: the time and place, a UID that stays with a branch's
meeting through every change, the change's sequence number, and cancellations.

Reports made before this take the pack's time and place; each branch's reports so far
become one meeting, its changes numbered in the order they were made.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_meetings = sa.table(
    "meetings",
    sa.column("id", sa.Integer()),
    sa.column("branch_code", sa.String()),
    sa.column("uid", sa.String()),
    sa.column("sequence", sa.Integer()),
)


def upgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("meeting_time", sa.Time(), nullable=True))
        batch.add_column(sa.Column("place", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("uid", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("sequence", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("cancelled", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_meetings.c.id, _meetings.c.branch_code).order_by(_meetings.c.id)
    ).all()
    series: dict[str, tuple[str, int]] = {}
    for row in rows:
        uid, sequence = series.get(row.branch_code, (str(uuid.uuid4()), -1))
        series[row.branch_code] = (uid, sequence + 1)
        connection.execute(
            _meetings.update()
            .where(_meetings.c.id == row.id)
            .values(uid=uid, sequence=sequence + 1)
        )
    with op.batch_alter_table("meetings") as batch:
        batch.alter_column("uid", existing_type=sa.String(length=80), nullable=False)
        batch.create_unique_constraint("uq_meetings_uid", ["uid", "sequence"])


def downgrade() -> None:
    with op.batch_alter_table("meetings") as batch:
        batch.drop_constraint("uq_meetings_uid", type_="unique")
        batch.drop_column("cancelled")
        batch.drop_column("sequence")
        batch.drop_column("uid")
        batch.drop_column("place")
        batch.drop_column("meeting_time")
