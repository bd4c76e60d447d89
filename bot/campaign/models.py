"""The shapes of the campaign pack's YAML files: campaign.yaml (candidate, timetable, rules),
manifesto.yaml, steps.yaml, faq.yaml, background.yaml and language.yaml. Each is checked
by pydantic as it is read (`bot.campaign.loading`)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.campaign.dates import ZoneName
from bot.campaign.domain import Reason
from bot.campaign.packfiles import (
    check_unique,
)

REQUIRED_EVENTS = ("nominations_open", "nominations_close", "ballot_open", "ballot_close")
SLUG = r"^[a-z0-9][a-z0-9-]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Candidate(_Model):
    name: str = Field(min_length=1)
    short_name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    post: str = Field(min_length=1)
    union: str = Field(min_length=1)
    union_name: str = ""
    summary: str = ""


class Contact(_Model):
    email: str = ""
    website: str = ""
    twitter: str = ""


class Event(_Model):
    at: datetime | date
    label: str = Field(min_length=1)

    @property
    def has_time(self) -> bool:
        return isinstance(self.at, datetime)

    def local(self, zone: ZoneInfo) -> datetime:
        at = self.at
        moment = at if isinstance(at, datetime) else datetime.combine(at, time(0, 0))
        return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


class Rules(_Model):
    nomination_threshold: int = Field(ge=1)
    notice_days: int = Field(ge=0, le=365)
    nominations_per_branch_per_post: int = Field(default=1, ge=1)
    # The form goes in on or after the meeting's day (it records what the meeting decided).
    form_after_meeting: bool = True
    # Who may sign and send the form, as the bot says it.
    form_sent_by: str = Field(default="a branch official who was at the meeting", min_length=1)
    valid_nomination: list[str] = Field(default_factory=list)
    ballot: str = ""


# How the bot words each reason a nomination does not count (yet), unless the pack says.
REASON_WORDS: dict[Reason, str] = {
    Reason.NO_MEETING_DATE: "meeting date not reported",
    Reason.MEETING_AFTER_CLOSE: "meeting after the close",
    Reason.MEETING_BEFORE_OPEN: "meeting before nominations opened",
    Reason.MEETING_TO_COME: "meeting not held yet",
    Reason.NO_NOTICE_DATE: "notice date not reported",
    Reason.SHORT_NOTICE: "only {days}' notice",
    Reason.NO_FORM: "form not sent yet",
    Reason.FORM_BEFORE_MEETING: "form dated before the meeting",
    Reason.FORM_LATE: "form sent after the deadline",
}
# Fields a reason's wording may use, beyond the pack's own.
REASON_FIELDS = ("days",)


class BranchesRef(_Model):
    file: str = "branches.csv"
    sample: bool = False


class Source(_Model):
    what: str
    where: str


class CampaignFile(_Model):
    name: str = Field(min_length=1)
    data_controller: str = Field(min_length=1)
    timezone: ZoneName = "Europe/London"
    candidate: Candidate
    abbreviations: dict[str, str] = Field(default_factory=dict)
    # Words supporters use for the same thing ("back": support or nominate): a question
    # with the word also matches passages that use any of its synonyms.
    synonyms: dict[str, list[str]] = Field(default_factory=dict)
    common_words: list[str] = Field(default_factory=list)
    contact: Contact = Contact()
    timetable: dict[str, Event]
    rules: Rules
    reasons: dict[Reason, str] = Field(default_factory=dict)
    branches: BranchesRef = BranchesRef()
    sources: list[Source] = Field(default_factory=list)
    # A moment inside the campaign, local time: the terminal chat starts there once the
    # campaign is over (bot.cli.demo).
    demo_now: datetime | None = None

    @field_validator("timetable")
    @classmethod
    def _required_events(cls, value: dict[str, Event]) -> dict[str, Event]:
        missing = [key for key in REQUIRED_EVENTS if key not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        return value


class Section(_Model):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    # How supporters ask about the section as a whole.
    questions: list[str] = Field(default_factory=list)
    record: list[str] = Field(default_factory=list)
    facts: list[str] = Field(default_factory=list)
    pledges: list[str] = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)


class ManifestoFile(_Model):
    sections: list[Section] = Field(min_length=1)

    @field_validator("sections")
    @classmethod
    def _unique(cls, value: list[Section]) -> list[Section]:
        check_unique(section.id for section in value)
        return value


class Step(_Model):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)


class StepsFile(_Model):
    intro: str = ""
    # How supporters ask for these steps; helps the bot recognise the question.
    questions: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)


class Revision(_Model):
    """A later version of an answer, said from the moment it was published."""

    published: datetime | date
    answer: str = Field(min_length=1)


class FaqEntry(_Model):
    id: str = Field(pattern=SLUG)
    question: str = Field(min_length=1)
    alternates: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    # Where the answer can be checked (cited with it).
    source: str = ""
    # A fact made public on a day (a result): before `published` the answer is not stated,
    # and `pending` (saying it is not known yet) is said instead. Times are the pack's.
    published: datetime | date | None = None
    pending: str = ""
    later: list[Revision] = Field(default_factory=list)

    @model_validator(mode="after")
    def _pending_with_published(self) -> FaqEntry:
        if self.published is not None and not self.pending.strip():
            raise ValueError("an entry with `published` needs `pending`: what to say before then")
        return self


class FaqFile(_Model):
    entries: list[FaqEntry] = Field(default_factory=list)

    @field_validator("entries")
    @classmethod
    def _unique(cls, value: list[FaqEntry]) -> list[FaqEntry]:
        check_unique(entry.id for entry in value)
        return value


class BackgroundItem(_Model):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)
    # The item's facts one by one, each answerable alone ("his line on redundancy terms").
    claims: list[str] = Field(default_factory=list)


class BackgroundFile(_Model):
    source: str = Field(min_length=1)
    date: int | str
    items: list[BackgroundItem] = Field(default_factory=list)


class LanguageFile(_Model):
    """How supporters word questions, for the answer engine (language.yaml): the
    campaign's word lists, the sentences the engine says, and question frames that the
    learned ranker's training applies to the pack's keywords."""

    word_lists: dict[str, list[str]] = Field(default_factory=dict)
    sentences: dict[str, str] = Field(default_factory=dict)
    question_frames: list[str] = Field(default_factory=list)
