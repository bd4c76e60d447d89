"""The campaign's words and records, shared by the store, commands, schedules and reports.

Everything that crosses the store's boundary is one of these frozen records (the ones about
reminders, the audit log and personal data are in `bot.campaign.records`): no SQL, no
connections, no platform. Modules import this one; it imports nothing of the bot's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum


class Outcome(StrEnum):
    """What a branch meeting decided."""

    NOMINATED = "nominated"  # our candidate
    OTHER = "other"  # another candidate
    NONE = "none"  # no nomination
    INQUORATE = "inquorate"  # the meeting was not quorate


class Reason(StrEnum):
    """Why a reported nomination of the candidate does not count (yet). The pack words
    each one (campaign.yaml, `reasons`); the verdicts are worked out from these codes."""

    NO_MEETING_DATE = "no-meeting-date"
    MEETING_AFTER_CLOSE = "meeting-after-close"
    MEETING_BEFORE_OPEN = "meeting-before-open"
    MEETING_TO_COME = "meeting-to-come"  # held as pending until the meeting's day
    NO_NOTICE_DATE = "no-notice-date"
    SHORT_NOTICE = "short-notice"
    NO_FORM = "no-form"
    FORM_BEFORE_MEETING = "form-before-meeting"
    FORM_LATE = "form-late"

    @property
    def final(self) -> bool:
        """No later report can change it: the answer is No, not Not yet."""
        return self in FINAL_REASONS


FINAL_REASONS = frozenset(
    {
        Reason.MEETING_AFTER_CLOSE,
        Reason.MEETING_BEFORE_OPEN,
        Reason.SHORT_NOTICE,
        Reason.FORM_LATE,
    }
)


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a nomination does not count, with what its wording needs."""

    reason: Reason
    days: int = 0  # short notice: the days' notice members had

    @property
    def final(self) -> bool:
        return self.reason.final


@dataclass(frozen=True, slots=True)
class User:
    """A person on one platform. `id` is the platform's stable user id."""

    platform: str
    id: str
    display_name: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}"


@dataclass(frozen=True, slots=True)
class Branch:
    code: str
    name: str
    group: str
    region: str


# --- people


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
    undeliverable_at: datetime | None = None
    branch_name: str = ""


@dataclass(frozen=True, slots=True)
class ImportedVolunteer:  # gathered before the bot, with consent recorded elsewhere
    user: User
    branch_code: str
    consented_at: datetime


@dataclass(frozen=True, slots=True)
class SignUp:
    volunteer: Volunteer
    previous_branch: str | None
    already: bool


# --- meetings, nominations and questions


@dataclass(frozen=True, slots=True)
class Meeting:
    id: int
    branch_code: str
    meeting_date: date
    notice_date: date | None
    reported_by: str | None
    platform: str
    reported_at: datetime
    branch_name: str = ""  # where read with its branch (the export)
    meeting_time: time | None = None  # None: the pack's (reported before it was asked)
    place: str | None = None
    uid: str = ""  # the calendar entry's, the same through every change
    sequence: int = 0  # the change's number: 0 when called, 1 at the first change ...
    cancelled: bool = False  # this report cancels the meeting


@dataclass(frozen=True, slots=True)
class MeetingResult:
    meeting: Meeting
    previous: Meeting | None


@dataclass(frozen=True, slots=True)
class NominationReport:
    """One person's report of what a branch meeting decided."""

    branch_code: str
    outcome: Outcome
    nominee: str | None
    meeting_date: date | None
    reporter: User
    at: datetime


@dataclass(frozen=True, slots=True)
class Nomination:
    """A branch's current nomination, as the latest report and checks left it."""

    branch_code: str
    outcome: Outcome
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

    def same_result(self, outcome: str, nominee: str | None) -> bool:
        return self.outcome == outcome and (self.nominee or "") == (nominee or "")

    @staticmethod
    def after(
        previous: Nomination | None, report: NominationReport, meeting_date: date | None
    ) -> Nomination:
        """The nomination once `report` is applied on top of `previous`: a correction that
        keeps the same result keeps what was checked about it (verification, the form,
        confirmation); a different result starts afresh."""
        same = previous is not None and previous.same_result(report.outcome, report.nominee)
        kept = previous if same else None
        return Nomination(
            branch_code=report.branch_code,
            outcome=Outcome(report.outcome),
            nominee=report.nominee,
            meeting_date=meeting_date,
            reported_by=report.reporter.display_name,
            platform=report.reporter.platform,
            reported_at=report.at,
            report_count=(previous.report_count if previous else 0) + 1,
            verified_at=kept.verified_at if kept else None,
            verified_by=kept.verified_by if kept else None,
            form_sent_at=kept.form_sent_at if kept else None,
            form_official=kept.form_official if kept else None,
            confirmed_at=kept.confirmed_at if kept else None,
        )


@dataclass(frozen=True, slots=True)
class NominationResult:
    nomination: Nomination
    previous: Nomination | None
    # Branches nominating the candidate once this report (and its batch) was saved.
    nominated_total: int = 0


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    """One line of a branch's nomination history: a report, correction or check."""

    branch_code: str
    action: str  # report | correction | verify | formsent | confirmed
    outcome: str | None
    nominee: str | None
    meeting_date: date | None
    platform: str
    at: datetime
    display_name: str | None = None


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
class BranchFacts:
    """Per branch: its volunteers, latest meeting and current nomination."""

    code: str
    name: str
    group: str
    region: str
    volunteers: int = 0
    first_volunteer_at: datetime | None = None
    meeting_date: date | None = None
    notice_date: date | None = None
    meeting_reported_at: datetime | None = None
    outcome: Outcome | None = None
    nominee: str | None = None
    nominated_at_meeting: date | None = None
    reported_at: datetime | None = None
    verified_at: datetime | None = None
    form_sent_at: datetime | None = None
    form_official: str | None = None
    confirmed_at: datetime | None = None
    retired: bool = False  # a replaced branch list left it out; its records still count


@dataclass(frozen=True, slots=True)
class UnansweredQuestion:
    id: int
    text: str
    asked_count: int
    first_asked_at: datetime
    last_asked_at: datetime
    answered_at: datetime | None = None
    askers: int = 0  # people who asked it (and have not been erased)


@dataclass(frozen=True, slots=True)
class Queued:
    """A question kept for the organisers (its id), or refused (a limit was reached)."""

    question_id: int | None
    refused: str | None = None  # "asker" | "queue"


@dataclass(frozen=True, slots=True)
class FaqAnswer:
    id: int
    question_id: int | None
    question: str
    answer: str
    created_at: datetime
