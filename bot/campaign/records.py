"""The campaign's records of reminders (what is planned, claimed and sent), the audit log,
personal data and its erasure, and the union's published report: frozen records, like
`bot.campaign.domain`'s, that cross the store's boundary."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time
from typing import NamedTuple

from bot.campaign.domain import Branch, HistoryEvent, Meeting, Nomination, Volunteer

# --- reminders


class PlanVolunteer(NamedTuple):
    """A volunteer as the reminder planner sees them, with their branch's state. A named
    tuple, not a frozen dataclass: every volunteer's is made at every sweep, and a tuple
    is made several times faster."""

    person_id: int
    platform: str
    user_id: str
    name: str
    branch_code: str
    branch_name: str
    signed_up_at: datetime
    opted_out: bool = False
    snoozed_until: datetime | None = None
    undeliverable: bool = False
    meeting_date: date | None = None
    has_outcome: bool = False
    has_voted: bool = False  # said so with /voted: no more ballot reminders
    meeting_time: time | None = None  # the meeting's own start, if it was given
    has_pledged: bool = False  # asked colleagues to vote (/pledge)


@dataclass(frozen=True, slots=True)
class BroadcastChannel:
    platform: str
    channel_id: str
    subscribed_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryClaim:
    """A message about to be sent (or recorded as not sent): its key and what it is."""

    rule_id: str
    recipient: str
    occurrence: str
    audience: str
    platform: str
    person_id: int | None
    branch_code: str | None
    due_at: datetime
    nonce: str
    status: str = "pending"
    detail: str | None = None
    variant: str | None = None  # a wording experiment's group (bot.campaign.experiments)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.rule_id, self.recipient, self.occurrence)


@dataclass(frozen=True, slots=True, kw_only=True)
class Delivery(DeliveryClaim):
    """A delivery record: a claimed message with its outcome so far."""

    id: int
    attempts: int
    message_ref: str | None
    created_at: datetime
    updated_at: datetime
    claimed_by: str | None = None
    claim_expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Exposure:
    """A volunteer in a wording experiment: the rule, their group (a variant's id or
    `holdout`), their branch and the first moment the rule was due for them."""

    rule_id: str
    variant: str
    person_id: int
    branch_code: str | None
    first_at: datetime


@dataclass(frozen=True, slots=True)
class StepTimes:
    """When branches took their steps and volunteers voted: the outcomes of experiments."""

    meetings: dict[str, list[datetime]]  # branch code -> when meetings were reported
    results: dict[str, list[datetime]]  # branch code -> when results were first reported
    voted: dict[int, datetime]  # person id -> when they said they voted


@dataclass(frozen=True, slots=True)
class DigestReport:
    branch_code: str
    name: str
    outcome: str | None


@dataclass(frozen=True, slots=True)
class HelpRequest:
    display_name: str
    platform: str
    branch_code: str | None


@dataclass(frozen=True, slots=True)
class DigestFacts:
    """What the organisers' daily digest reports."""

    reports: tuple[DigestReport, ...] = ()
    stuck: tuple[str, ...] = ()
    undeliverable: int = 0
    unanswered: int = 0
    help: tuple[HelpRequest, ...] = ()


# --- audit, privacy and reports


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    platform: str
    action: str
    detail: str | None
    display_name: str | None


@dataclass(frozen=True, slots=True)
class Person:
    display_name: str
    platform: str
    platform_user_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PersonalData:
    """Everything stored about one person, for /mydata."""

    person: Person
    volunteer: Volunteer | None
    meetings: tuple[Meeting, ...]
    reports: tuple[HistoryEvent, ...]
    help_requests: int
    reminders: int
    audit: int
    invitations: int = 0  # meetings whose invitation the bot gave them (changes follow)


@dataclass(frozen=True, slots=True)
class Erasure:
    found: bool
    volunteer_branch: str | None = None
    reports: int = 0
    meetings: int = 0
    verifications: int = 0


@dataclass(frozen=True, slots=True)
class PurgeCounts:
    people: int = 0
    volunteers: int = 0
    help_requests: int = 0
    reminder_records: int = 0
    questions: int = 0
    ballot_records: int = 0  # "I've voted" and pledges
    official_names: int = 0  # who signed a branch's form, in the nomination and its history

    def items(self) -> list[tuple[str, int]]:
        return [(f.name.replace("_", " "), getattr(self, f.name)) for f in fields(self)]

    @property
    def anything(self) -> bool:
        return bool(self.people or self.questions or self.ballot_records or self.official_names)


@dataclass(frozen=True, slots=True)
class BranchNomination:
    """A nomination with its branch, for the export."""

    branch: Branch
    nomination: Nomination
