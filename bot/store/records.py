"""Plain records the store hands back: no SQL, no connections."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

OUTCOME_NOMINATED = "nominated"
OUTCOME_OTHER = "other"
OUTCOME_NONE = "none"
OUTCOME_INQUORATE = "inquorate"


@dataclass(frozen=True, slots=True)
class Volunteer:
    person_id: int
    platform: str
    platform_user_id: str
    display_name: str
    branch_code: str
    consent_at: datetime
    consent_text: str
    opted_out: bool
    snoozed_until: datetime | None
    signed_up_at: datetime


@dataclass(frozen=True, slots=True)
class SignUp:
    volunteer: Volunteer
    previous_branch: str | None
    already: bool


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    branch_code: str
    meeting_date: date
    notice_date: date | None
    reported_by: str | None
    platform: str
    reported_at: datetime


@dataclass(frozen=True, slots=True)
class MeetingResult:
    meeting: Meeting
    previous: Meeting | None


@dataclass(frozen=True, slots=True)
class Nomination:
    branch_code: str
    outcome: str
    nominee: str | None
    meeting_date: date | None
    reported_by: str | None
    platform: str
    reported_at: datetime
    report_count: int
    verified_at: datetime | None
    verified_by: str | None
    form_sent_at: datetime | None = None
    form_official: str | None = None
    confirmed_at: datetime | None = None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


@dataclass(frozen=True, slots=True)
class NominationResult:
    nomination: Nomination
    previous: Nomination | None
    # Branches nominating the candidate once this report (and its batch) was saved.
    nominated_total: int = 0


@dataclass(frozen=True, slots=True)
class Tally:
    nominated: int
    nominated_verified: int
    other: int
    other_by_nominee: dict[str, int]
    no_nomination: int
    inquorate: int
    branches_with_meeting: int
    meetings_awaiting_outcome: int
    branches_total: int


@dataclass(frozen=True, slots=True)
class Erasure:
    found: bool
    volunteer_branch: str | None = None
    reports: int = 0
    meetings: int = 0
    verifications: int = 0
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    id: int
    text: str
    asked_count: int
    first_asked_at: datetime
    last_asked_at: datetime
    answered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FaqAnswer:
    id: int
    question_id: int | None
    question: str
    answer: str
    created_at: datetime
