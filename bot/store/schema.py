"""The store's tables, as SQLAlchemy Core metadata.

The migrations in `migrations/versions` create exactly these tables; a test compares
the two so they cannot drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
    false,
    true,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out; stored as naive UTC on every backend."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

branches = Table(
    "branches",
    metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("group_name", String(80), nullable=False, server_default=""),
    Column("region", String(80), nullable=False, server_default=""),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),
    Column("platform_user_id", String(64), nullable=False),
    Column("display_name", String(80), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    UniqueConstraint("platform", "platform_user_id"),
)

volunteers = Table(
    "volunteers",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("branch_code", String(40), ForeignKey("branches.code"), nullable=False),
    Column("consent_at", UTCDateTime(), nullable=False),
    Column("consent_text", Text, nullable=False),
    Column("opted_out", Boolean, nullable=False, server_default=false()),
    Column("opted_out_at", UTCDateTime(), nullable=True),
    Column("snoozed_until", UTCDateTime(), nullable=True),
    Column("signed_up_at", UTCDateTime(), nullable=False),
    Column("undeliverable_at", UTCDateTime(), nullable=True),
    Index("ix_volunteers_branch_code", "branch_code"),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("branch_code", String(40), ForeignKey("branches.code"), nullable=False),
    Column("meeting_date", Date, nullable=False),
    Column("notice_date", Date, nullable=True),
    Column("reported_by", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("platform", String(20), nullable=False),
    Column("reported_at", UTCDateTime(), nullable=False),
    # When and where it starts (NULL in reports from before they were asked: the pack's).
    Column("meeting_time", Time(), nullable=True),
    Column("place", String(200), nullable=True),
    # The calendar entry: one UID for a branch's meeting through every change, and the
    # change's number. A cancellation is a report of its own, `cancelled`.
    Column("uid", String(80), nullable=False),
    Column("sequence", Integer, nullable=False, server_default="0"),
    Column("cancelled", Boolean, nullable=False, server_default=false()),
    Index("ix_meetings_branch_code", "branch_code"),
    UniqueConstraint("uid", "sequence"),
)

# Who has had each meeting's invitation (the caller of /meeting, /notice, /cancelmeeting,
# and those sent its updates), and the last change they have: they get each later change
# (the same UID, the next sequence). Nothing but the link to the person; goes with them.
meeting_recipients = Table(
    "meeting_recipients",
    metadata,
    Column("uid", String(80), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("sequence", Integer, nullable=False),
    Index("ix_meeting_recipients_person_id", "person_id"),
)

nominations = Table(
    "nominations",
    metadata,
    Column("branch_code", String(40), ForeignKey("branches.code"), primary_key=True),
    Column("outcome", String(20), nullable=False),
    Column("nominee", String(120), nullable=True),
    Column("meeting_date", Date, nullable=True),
    Column("reported_by", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("platform", String(20), nullable=False),
    Column("reported_at", UTCDateTime(), nullable=False),
    Column("report_count", Integer, nullable=False, server_default="1"),
    Column("verified_at", UTCDateTime(), nullable=True),
    Column("verified_by", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("form_sent_at", UTCDateTime(), nullable=True),
    Column("form_official", String(120), nullable=True),
    Column("confirmed_at", UTCDateTime(), nullable=True),
)

nomination_history = Table(
    "nomination_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("branch_code", String(40), ForeignKey("branches.code"), nullable=False),
    Column("action", String(20), nullable=False),  # report | correction | verify
    Column("outcome", String(20), nullable=True),
    Column("nominee", String(120), nullable=True),
    Column("meeting_date", Date, nullable=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("platform", String(20), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Index("ix_nomination_history_branch_code", "branch_code"),
)

questions = Table(
    "questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", String(500), nullable=False),
    Column("normalised", String(500), nullable=False, unique=True),
    Column("asked_count", Integer, nullable=False, server_default="1"),
    Column("first_asked_at", UTCDateTime(), nullable=False),
    Column("last_asked_at", UTCDateTime(), nullable=False),
    Column("answered_at", UTCDateTime(), nullable=True),
)

faq_answers = Table(
    "faq_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question_id", Integer, ForeignKey("questions.id", ondelete="SET NULL"), nullable=True),
    Column("question", String(500), nullable=False),
    Column("answer", Text, nullable=False),
    Column("created_by", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("rule_id", String(60), nullable=False),
    Column("recipient", String(120), nullable=False),
    Column("occurrence", String(60), nullable=False),
    Column("audience", String(20), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=True),
    Column("branch_code", String(40), nullable=True),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("nonce", String(32), nullable=False),
    Column("detail", String(200), nullable=True),
    Column("message_ref", String(80), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Who is sending it, and until when that claim holds (wall-clock time).
    Column("claimed_by", String(160), nullable=True),
    Column("claim_expires_at", UTCDateTime(), nullable=True),
    # A wording experiment's group: the variant sent, or `holdout` (status `withheld`:
    # recorded, never sent). NULL for rules without variants.
    Column("variant", String(20), nullable=True),
    UniqueConstraint("rule_id", "recipient", "occurrence"),
    Index("ix_deliveries_status", "status"),
    Index("ix_deliveries_recipient", "recipient"),
    Index("ix_deliveries_rule_id_variant", "rule_id", "variant"),
)

broadcast_channels = Table(
    "broadcast_channels",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("platform", String(20), nullable=False),
    Column("channel_id", String(64), nullable=False),
    Column("subscribed_by", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("subscribed_at", UTCDateTime(), nullable=False),
    UniqueConstraint("platform", "channel_id"),
)

help_requests = Table(
    "help_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=True),
    Column("branch_code", String(40), nullable=True),
    Column("asked_at", UTCDateTime(), nullable=False),
    Column("handled_at", UTCDateTime(), nullable=True),
)

scheduler_state = Table(
    "scheduler_state",
    metadata,
    Column("key", String(40), primary_key=True),
    Column("value", String(200), nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", UTCDateTime(), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("platform", String(20), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", String(300), nullable=True),
)

# One process at a time holds a lease (sending reminders); a dead holder's lease expires.
leases = Table(
    "leases",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("owner", String(160), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    # The fencing token: raised each time the lease is taken afresh (another owner, or
    # the same one after it ran out); a "sending" mark is written only under the current one.
    Column("epoch", Integer, nullable=False, server_default="0"),
)

# Requests already handled (a Slack event id, a replayed command), for an hour or so.
request_keys = Table(
    "request_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("seen_at", UTCDateTime(), nullable=False),
    Index("ix_request_keys_seen_at", "seen_at"),
)

# Who asked each question the bot could not answer, so the answer can reach them.
question_askers = Table(
    "question_askers",
    metadata,
    Column(
        "question_id",
        Integer,
        ForeignKey("questions.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("asked_at", UTCDateTime(), nullable=False),
    Index("ix_question_askers_person_id", "person_id"),
)

# What a volunteer reports in the ballot: that they have voted, and how many colleagues
# they have asked to vote. Goes with the person (erasure and the purge).
ballot_actions = Table(
    "ballot_actions",
    metadata,
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
    Column("voted_at", UTCDateTime(), nullable=True),
    Column("pledged", Integer, nullable=False, server_default="0"),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Live progress boards: a channel showing one message the bot edits as reports arrive.
boards = Table(
    "boards",
    metadata,
    Column("platform", String(20), primary_key=True),
    Column("channel_id", String(64), primary_key=True),
    Column("message_id", String(64), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)

# What the purge keeps of the people it deletes: per branch, how many volunteers there
# were, how many said they voted and how many colleagues they asked. Counted in with the
# live figures, so the tallies read the same after the purge as before it.
kept_tallies = Table(
    "kept_tallies",
    metadata,
    Column("branch_code", String(40), ForeignKey("branches.code"), primary_key=True),
    Column("volunteers", Integer, nullable=False, server_default="0"),
    Column("voted", Integer, nullable=False, server_default="0"),
    Column("pledged", Integer, nullable=False, server_default="0"),
    Column("kept_at", UTCDateTime(), nullable=False),
)

# Organisers' one-off messages to a segment (/broadcast): the text, the segment (JSON),
# who wrote it and where it stands (draft, confirmed, sending, sent, cancelled). Each
# person's copy goes through the delivery log, like a reminder.
broadcasts = Table(
    "broadcasts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    Column("segment", String(600), nullable=False),
    Column("created_by", Integer, ForeignKey("people.id", ondelete="SET NULL"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False),
    Column("confirmed_at", UTCDateTime(), nullable=True),
    Column("go_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Index("ix_broadcasts_status", "status"),
)

# Dashboard sign-in links used, by their nonce: each link opens one session, once.
dashboard_links = Table(
    "dashboard_links",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("used_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Index("ix_dashboard_links_expires_at", "expires_at"),
)
