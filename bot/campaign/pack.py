"""The campaign pack: candidate, timetable, rules, manifesto, FAQ, background and branches.

A pack is a folder of YAML files and a branch list in CSV. `load_campaign` reads and
checks all of it at start-up; anything malformed raises PackError naming the file, the
line or key, and what is wrong, so an organiser editing a pack can fix it quickly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from rapidfuzz import fuzz

from bot.campaign.ballot import BallotFile, ballot_days, ballot_faq, ballot_fields, check_ballot
from bot.campaign.dates import ZoneName, clock_time, day_name, plural
from bot.campaign.domain import Branch, Problem, Reason
from bot.campaign.packfiles import (
    check_templates,
    check_unique,
    parse_branch_csv,
    read_model,
    read_optional,
    read_text,
)
from bot.campaign.rules import (
    DAY_ANCHORS,
    DigestText,
    Moment,
    QuietWindow,
    RemindersFile,
    Rule,
    check_reminders,
)
from bot.errors import PackError

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


@dataclass(frozen=True)
class Campaign:
    """A loaded, checked campaign pack."""

    root: Path
    info: CampaignFile
    sections: tuple[Section, ...]
    steps: StepsFile
    faq: tuple[FaqEntry, ...]
    background: BackgroundFile | None
    branches: tuple[Branch, ...]
    reminders: tuple[Rule, ...] = ()
    digest_text: DigestText | None = None
    language: LanguageFile = dataclass_field(default_factory=LanguageFile)
    ballot: BallotFile | None = None  # ballot.yaml: how to vote, the post, a missing paper
    quiet_hours: QuietWindow = dataclass_field(default_factory=QuietWindow)  # reminders.yaml
    daily_limit: int = 1  # reminders.yaml: personal messages to one volunteer in a day

    @property
    def digest(self) -> DigestText:
        """The digest's wording (a pack with rules for organisers always has it)."""
        if self.digest_text is None:
            raise LookupError("the pack has no digest wording")
        return self.digest_text

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.info.timezone)

    @property
    def candidate(self) -> Candidate:
        return self.info.candidate

    @property
    def rules(self) -> Rules:
        return self.info.rules

    @property
    def threshold(self) -> int:
        """How many branches the candidate needs."""
        return self.rules.nomination_threshold

    def word(self, problem: Problem) -> str:
        """A reason a nomination does not count, in the pack's words."""
        template = self.info.reasons.get(problem.reason) or REASON_WORDS[problem.reason]
        return self.fill(template, {"days": plural(problem.days, "day")})

    def moment(self, event_id: str) -> datetime:
        return self.info.timetable[event_id].local(self.zone)

    @cached_property
    def nominations_open(self) -> datetime:
        return self.moment("nominations_open")

    @cached_property
    def nominations_close(self) -> datetime:
        return self.moment("nominations_close")

    @cached_property
    def ballot_open(self) -> datetime:
        return self.moment("ballot_open")

    @cached_property
    def ballot_close(self) -> datetime:
        return self.moment("ballot_close")

    @property
    def demo_now(self) -> datetime | None:
        """The pack's demonstration moment, in the campaign's zone."""
        at = self.info.demo_now
        if at is None:
            return None
        return at.replace(tzinfo=self.zone) if at.tzinfo is None else at.astimezone(self.zone)

    @cached_property
    def purge_after(self) -> datetime:
        if "purge_after" in self.info.timetable:
            return self.moment("purge_after")
        return self.ballot_close + timedelta(days=30)

    @cached_property
    def notice_cutoff(self) -> date:
        """The last day a meeting on the closing day can be called with enough notice."""
        return self.nominations_close.date() - timedelta(days=self.rules.notice_days)

    @cached_property
    def check_in(self) -> date:
        """A week before the notice cut-off: when to chase a branch that has said nothing."""
        return self.notice_cutoff - timedelta(days=7)

    @cached_property
    def fields(self) -> Mapping[str, str]:
        """Values that pack text may use as `{name}`."""
        close = self.nominations_close
        ballot_close = self.ballot_close
        fields = {
            "open": day_name(self.nominations_open.date()),
            "close": day_name(close.date()),
            "close_time": clock_time(close),
            "notice_cutoff": day_name(self.notice_cutoff),
            "check_in": day_name(self.check_in),
            "ballot_open": day_name(self.ballot_open.date()),
            "ballot_close": day_name(ballot_close.date()),
            "ballot_close_time": clock_time(ballot_close),
            "purge_after": day_name(self.purge_after.date()),
            "threshold": str(self.rules.nomination_threshold),
            "notice_days": str(self.rules.notice_days),
            "candidate": self.candidate.name,
            "short_name": self.candidate.short_name,
            "post": self.candidate.post,
            "union": self.candidate.union,
            "email": self.info.contact.email,
            "website": self.info.contact.website,
            "twitter": self.info.contact.twitter,
        }
        if "acceptances_due" in self.info.timetable:
            fields["acceptances_due"] = day_name(self.moment("acceptances_due").date())
        fields.update(ballot_fields(self))
        return fields

    def anchor(self, name: str, end_of_day: bool = False) -> datetime:
        """A timetable event, or notice_cutoff / check_in (days: start or end of day)."""
        if name in self.info.timetable:
            return self.moment(name)
        days = {"notice_cutoff": self.notice_cutoff, "check_in": self.check_in}
        day = days[name] if name in days else ballot_days(self)[name]
        at = time(23, 59, 59) if end_of_day else time(0, 0)
        return datetime.combine(day, at, tzinfo=self.zone)

    @cached_property
    def _resolved(self) -> dict[tuple[str, int, time | None, bool], datetime]:
        return {}  # the planner resolves the same moments for every volunteer, every sweep

    def resolve(self, moment: Moment, end_of_day: bool = False) -> datetime:
        """A pack moment (anchor, days, time) as a local datetime."""
        # Keyed by the moment's plain values: hashing the model itself is far slower.
        key = (moment.anchor, moment.days, moment.time, end_of_day)
        found = self._resolved.get(key)
        if found is None:
            base = self.anchor(moment.anchor, end_of_day and moment.time is None)
            day = base.date() + timedelta(days=moment.days)
            at = moment.time if moment.time is not None else base.time()
            found = self._resolved[key] = datetime.combine(day, at, tzinfo=self.zone)
        return found

    def names_candidate(self, text: str) -> bool:
        """Whether `text` ("Serwotka", "mark serwotka") names the candidate."""
        names = [self.candidate.name, self.candidate.short_name, *self.candidate.aliases]
        wanted = text.lower().strip()
        return any(fuzz.WRatio(wanted, name.lower()) >= 88 for name in names if len(name) > 3)

    def fill(self, template: str, extra: Mapping[str, str] | None = None) -> str:
        values = dict(self.fields)
        if extra:
            values.update(extra)
        return template.format_map(values)


# --- loading ---------------------------------------------------------------------------


def load_campaign(root: Path) -> Campaign:
    """Load and check the campaign pack in `root`."""
    if not root.is_dir():
        raise PackError(f"{root}: the campaign folder does not exist")
    campaign_path = root / "campaign.yaml"
    info = read_model(CampaignFile, campaign_path)
    manifesto = read_model(ManifestoFile, root / "manifesto.yaml")
    steps_path = root / "steps.yaml"
    steps = read_model(StepsFile, steps_path)
    faq_path = root / "faq.yaml"
    faq = read_optional(FaqFile, faq_path) or FaqFile()
    background = read_optional(BackgroundFile, root / "background.yaml")

    branches_path = root / info.branches.file
    branches, problems = parse_branch_csv(read_text(branches_path))
    if problems:
        raise PackError(
            "\n".join(f"{branches_path}, line {p.line}: {p.message}" for p in problems[:10])
        )
    if not branches:
        raise PackError(f"{branches_path}: the branch list is empty")

    reminders_path = root / "reminders.yaml"
    reminders = read_optional(RemindersFile, reminders_path) or RemindersFile()
    ballot = read_optional(BallotFile, root / "ballot.yaml")

    language = read_optional(LanguageFile, root / "language.yaml") or LanguageFile()

    campaign = Campaign(
        root=root,
        info=info,
        sections=tuple(manifesto.sections),
        steps=steps,
        faq=(*faq.entries, *map(FaqEntry.model_validate, ballot_faq(ballot))),
        background=background,
        branches=tuple(branches),
        reminders=tuple(reminders.rules),
        digest_text=reminders.digest,
        language=language,
        ballot=ballot,
        quiet_hours=reminders.quiet_hours,
        daily_limit=reminders.daily_limit,
    )
    _check_order(campaign_path, campaign)
    check_ballot(root, campaign)
    known = campaign.fields.keys()
    check_templates(steps_path, {"intro": steps.intro}, known)
    check_templates(
        steps_path, {f"steps.{i}.text": s.text for i, s in enumerate(steps.steps)}, known
    )
    check_templates(
        faq_path, {f"entries.{i}.answer": e.answer for i, e in enumerate(faq.entries)}, known
    )
    check_templates(
        campaign_path,
        {f"reasons.{reason}": text for reason, text in info.reasons.items()},
        [*known, *REASON_FIELDS],
    )
    check_templates(
        faq_path, {f"entries.{i}.pending": e.pending for i, e in enumerate(faq.entries)}, known
    )
    check_templates(
        faq_path,
        {
            f"entries.{i}.later.{n}.answer": r.answer
            for i, e in enumerate(faq.entries)
            for n, r in enumerate(e.later)
        },
        known,
    )
    anchors = {*info.timetable, *DAY_ANCHORS, *ballot_days(campaign)}
    check_reminders(reminders_path, reminders, known, anchors)
    return campaign


def _check_order(path: Path, campaign: Campaign) -> None:
    order = [
        ("nominations_open", campaign.nominations_open),
        ("nominations_close", campaign.nominations_close),
        ("ballot_open", campaign.ballot_open),
        ("ballot_close", campaign.ballot_close),
    ]
    for (first, a), (second, b) in pairwise(order):
        if not a < b:
            raise PackError(f"{path}, timetable.{second}: must come after {first}")
