"""The campaign pack: candidate, timetable, rules, manifesto, FAQ, background and branches.

A pack is a folder of YAML files and a branch list in CSV. `load_campaign` reads and
checks all of it at start-up; anything malformed raises PackError naming the file, the
line or key, and what is wrong, so an organiser editing a pack can fix it quickly.
"""

from __future__ import annotations

import csv
import io
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from rapidfuzz import fuzz

from bot.clock import ZoneName
from bot.dates import clock_time, day_name
from bot.errors import PackError
from schedules.rules import REMINDER_FIELDS, Moment, RemindersFile, Rule

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

M = TypeVar("M", bound=BaseModel)

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
    valid_nomination: list[str] = Field(default_factory=list)
    ballot: str = ""


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
    branches: BranchesRef = BranchesRef()
    sources: list[Source] = Field(default_factory=list)

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
        _check_unique(section.id for section in value)
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


class FaqEntry(_Model):
    id: str = Field(pattern=SLUG)
    question: str = Field(min_length=1)
    alternates: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)


class FaqFile(_Model):
    entries: list[FaqEntry] = Field(default_factory=list)

    @field_validator("entries")
    @classmethod
    def _unique(cls, value: list[FaqEntry]) -> list[FaqEntry]:
        _check_unique(entry.id for entry in value)
        return value


class BackgroundItem(_Model):
    id: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    keywords: list[str] = Field(default_factory=list)


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


def _check_unique(ids: Iterable[str]) -> None:
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            raise ValueError(f"id {ident!r} is used twice")
        seen.add(ident)


@dataclass(frozen=True, slots=True)
class Branch:
    code: str
    name: str
    group: str
    region: str


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str


def parse_branch_csv(text: str) -> tuple[list[Branch], list[RowProblem]]:
    """Read a `code,name,group,region` list; lines starting with `#` are comments.

    Returns the good rows and, for each rejected row, its line number and why.
    """
    problems: list[RowProblem] = []
    lines = text.splitlines()
    body = [(number, line) for number, line in enumerate(lines, 1) if not line.startswith("#")]
    body = [(number, line) for number, line in body if line.strip()]
    if not body:
        return [], [RowProblem(1, "the file has no header row (code,name,group,region)")]
    header_line, header = body[0]
    columns = [c.strip().lower() for c in next(csv.reader([header]))]
    needed = ["code", "name", "group", "region"]
    missing = [c for c in needed if c not in columns]
    if missing:
        return [], [RowProblem(header_line, f"the header lacks {', '.join(missing)}")]
    index = {name: columns.index(name) for name in needed}
    branches: list[Branch] = []
    seen: dict[str, int] = {}
    for number, line in body[1:]:
        row = next(csv.reader(io.StringIO(line)))
        values = {name: (row[i].strip() if i < len(row) else "") for name, i in index.items()}
        if not values["code"]:
            problems.append(RowProblem(number, "the branch code is missing"))
            continue
        if not values["name"]:
            problems.append(RowProblem(number, f"branch {values['code']} has no name"))
            continue
        if len(values["code"]) > 40 or len(values["name"]) > 120:
            problems.append(RowProblem(number, "the code or name is too long"))
            continue
        key = values["code"].upper()
        if key in seen:
            problems.append(RowProblem(number, f"code {values['code']} repeats line {seen[key]}"))
            continue
        seen[key] = number
        branches.append(Branch(values["code"], values["name"], values["group"], values["region"]))
    return branches, problems


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
    language: LanguageFile = dataclass_field(default_factory=LanguageFile)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.info.timezone)

    @property
    def candidate(self) -> Candidate:
        return self.info.candidate

    @property
    def rules(self) -> Rules:
        return self.info.rules

    def moment(self, event_id: str) -> datetime:
        return self.info.timetable[event_id].local(self.zone)

    @property
    def nominations_open(self) -> datetime:
        return self.moment("nominations_open")

    @property
    def nominations_close(self) -> datetime:
        return self.moment("nominations_close")

    @property
    def ballot_open(self) -> datetime:
        return self.moment("ballot_open")

    @property
    def ballot_close(self) -> datetime:
        return self.moment("ballot_close")

    @property
    def purge_after(self) -> datetime:
        if "purge_after" in self.info.timetable:
            return self.moment("purge_after")
        return self.ballot_close + timedelta(days=30)

    @property
    def notice_cutoff(self) -> date:
        """The last day a meeting on the closing day can be called with enough notice."""
        return self.nominations_close.date() - timedelta(days=self.rules.notice_days)

    @property
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
        return fields

    def anchor(self, name: str, end_of_day: bool = False) -> datetime:
        """A timetable event, or notice_cutoff / check_in (days: start or end of day)."""
        if name in self.info.timetable:
            return self.moment(name)
        day = {"notice_cutoff": self.notice_cutoff, "check_in": self.check_in}[name]
        at = time(23, 59, 59) if end_of_day else time(0, 0)
        return datetime.combine(day, at, tzinfo=self.zone)

    def resolve(self, moment: Moment, end_of_day: bool = False) -> datetime:
        """A pack moment (anchor, days, time) as a local datetime."""
        base = self.anchor(moment.anchor, end_of_day and moment.time is None)
        day = base.date() + timedelta(days=moment.days)
        at = moment.time if moment.time is not None else base.time()
        return datetime.combine(day, at, tzinfo=self.zone)

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


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PackError(f"{path}: the file is missing") from None
    except UnicodeDecodeError as exc:
        raise PackError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _yaml(path: Path, optional: bool = False) -> tuple[Any, str] | None:
    if optional and not path.exists():
        return None
    text = _read(path)
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "somewhere"
        raise PackError(f"{path}, {where}: {exc.problem or 'not valid YAML'}") from None
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(data, dict):
        raise PackError(f"{path}, line 1: expected a mapping of keys at the top level")
    return data, text


def _line_of(text: str, loc: Sequence[int | str]) -> int | None:
    """The line of the YAML node at a pydantic error location, if it can be found."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            key = next(k for k, v in node.value if v is match)
            line = key.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _validate(model: type[M], path: Path, data: Any, text: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        messages = []
        for error in exc.errors()[:5]:
            loc = [part for part in error["loc"] if isinstance(part, int | str)]
            key = ".".join(str(part) for part in loc) or "(top level)"
            line = _line_of(text, loc)
            where = f"line {line} ({key})" if line else key
            messages.append(f"{path}, {where}: {error['msg']}")
        raise PackError("\n".join(messages)) from None


def _check_templates(path: Path, texts: Mapping[str, str], known: Iterable[str]) -> None:
    names = set(known)
    for key, text in texts.items():
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            raise PackError(
                f"{path}, {key}: {exc} (write {{{{ and }}}} for literal braces)"
            ) from None
        for field in fields:
            if field not in names:
                raise PackError(
                    f"{path}, {key}: unknown field {{{field}}}; known fields: "
                    + ", ".join(sorted(names))
                )


def load_campaign(root: Path) -> Campaign:
    """Load and check the campaign pack in `root`."""
    if not root.is_dir():
        raise PackError(f"{root}: the campaign folder does not exist")
    campaign_path = root / "campaign.yaml"
    loaded = _yaml(campaign_path)
    assert loaded is not None
    info = _validate(CampaignFile, campaign_path, *loaded)

    manifesto_path = root / "manifesto.yaml"
    loaded = _yaml(manifesto_path)
    assert loaded is not None
    manifesto = _validate(ManifestoFile, manifesto_path, *loaded)

    steps_path = root / "steps.yaml"
    loaded = _yaml(steps_path)
    assert loaded is not None
    steps = _validate(StepsFile, steps_path, *loaded)

    faq_path = root / "faq.yaml"
    loaded = _yaml(faq_path, optional=True)
    faq = _validate(FaqFile, faq_path, *loaded) if loaded else FaqFile()

    background_path = root / "background.yaml"
    loaded = _yaml(background_path, optional=True)
    background = _validate(BackgroundFile, background_path, *loaded) if loaded else None

    branches_path = root / info.branches.file
    branches, problems = parse_branch_csv(_read(branches_path))
    if problems:
        raise PackError(
            "\n".join(f"{branches_path}, line {p.line}: {p.message}" for p in problems[:10])
        )
    if not branches:
        raise PackError(f"{branches_path}: the branch list is empty")

    reminders_path = root / "reminders.yaml"
    loaded = _yaml(reminders_path, optional=True)
    reminders = _validate(RemindersFile, reminders_path, *loaded) if loaded else RemindersFile()

    language_path = root / "language.yaml"
    loaded = _yaml(language_path, optional=True)
    language = _validate(LanguageFile, language_path, *loaded) if loaded else LanguageFile()

    campaign = Campaign(
        root=root,
        info=info,
        sections=tuple(manifesto.sections),
        steps=steps,
        faq=tuple(faq.entries),
        background=background,
        branches=tuple(branches),
        reminders=tuple(reminders.rules),
        language=language,
    )
    _check_order(campaign_path, campaign)
    known = campaign.fields.keys()
    _check_templates(steps_path, {"intro": steps.intro}, known)
    _check_templates(
        steps_path, {f"steps.{i}.text": s.text for i, s in enumerate(steps.steps)}, known
    )
    _check_templates(
        faq_path, {f"entries.{i}.answer": e.answer for i, e in enumerate(faq.entries)}, known
    )
    _check_templates(
        reminders_path,
        {f"rules.{i}.text": r.text for i, r in enumerate(campaign.reminders)},
        [*known, *REMINDER_FIELDS],
    )
    anchors = {*info.timetable, "notice_cutoff", "check_in"}
    for i, rule in enumerate(campaign.reminders):
        for key, moment in (("at", rule.at), ("from", rule.start), ("until", rule.until)):
            if moment is not None and moment.anchor not in anchors:
                raise PackError(
                    f"{reminders_path}, rules.{i}.{key}.anchor: unknown anchor "
                    f"{moment.anchor!r}; use one of {', '.join(sorted(anchors))}"
                )
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
