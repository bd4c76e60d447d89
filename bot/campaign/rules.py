"""Reminder rules as the campaign pack declares them (`reminders.yaml`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import time as Time
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.campaign.packfiles import check_templates
from bot.errors import PackError

SLUG = r"^[a-z0-9][a-z0-9-]*$"

Audience = Literal["channel", "volunteer", "organisers"]
BranchState = Literal["any", "no-meeting", "meeting-called"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

# Fields a reminder's text may use, beyond the pack's own.
REMINDER_FIELDS = (
    "name",
    "branch",
    "branch_code",
    "meeting_date",
    "days_left",
    "notice_days_left",
    "nominated",
    "verified",
    "needed",
    "digest",
    "ballot_days_left",
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Moment(_Model):
    """A moment relative to a timetable event: `days` after it, at `time` (local)."""

    anchor: str
    days: int = Field(default=0, ge=-366, le=366)
    time: Time | None = None


class Every(_Model):
    days: int | None = Field(default=None, ge=1, le=366)
    weekday: Weekday | None = None
    time: Time

    @model_validator(mode="after")
    def _one(self) -> Every:
        if (self.days is None) == (self.weekday is None):
            raise ValueError("give either days or weekday")
        return self


class Step(_Model):
    days_left: int = Field(ge=0)
    every: int = Field(ge=1, le=366)


class AfterSignup(_Model):
    minutes: int = Field(default=0, ge=0)


class MeetingRelative(_Model):
    """Relative to the branch's meeting: a time of day `days` from its date, or
    `after_end_minutes` after it ends (its start, its own or the pack's, and the pack's
    meeting length)."""

    days: int | None = Field(default=None, ge=-60, le=60)
    time: Time | None = None
    after_end_minutes: int | None = Field(default=None, ge=0, le=24 * 60)

    @model_validator(mode="after")
    def _one(self) -> MeetingRelative:
        by_day = self.days is not None and self.time is not None
        if by_day == (self.after_end_minutes is not None) or (
            (self.days is None) != (self.time is None)
        ):
            raise ValueError("give days and time, or after_end_minutes")
        return self


class Repeat(_Model):
    after_days: int = Field(ge=1, le=60)
    times: int = Field(default=1, ge=1, le=10)


class Variant(_Model):
    """One wording of a rule in a wording experiment (`variants:`)."""

    id: str = Field(pattern=SLUG, max_length=20)
    text: str = Field(min_length=1)


# Wordings a rule in an experiment may have, and the largest holdout share.
VARIANTS = (2, 4)
MAX_HOLDOUT = 0.5
HOLDOUT = "holdout"  # the group that gets no message from the rule


class Rule(_Model):
    id: str = Field(pattern=SLUG)
    audience: Audience
    phase: Literal["nominations", "ballot"] = "nominations"
    priority: int = 0
    branch: BranchState = "any"
    text: str = ""
    # A wording experiment: each volunteer gets one of these wordings, or (a `holdout`
    # share of them) nothing from this rule; the outcome is their branch's next step
    # (or, in the ballot, saying they voted) within `outcome_days` of the first message.
    variants: list[Variant] | None = None
    holdout: float | None = None
    outcome_days: int | None = None
    at: Moment | None = None
    every: Every | None = None
    cadence: list[Step] | None = None
    signup: AfterSignup | None = None
    meeting: MeetingRelative | None = None
    repeat: Repeat | None = None
    start: Moment | None = Field(default=None, alias="from")
    until: Moment | None = None
    time: Time | None = None
    # A progress post: the text, then the tally against the threshold (channel rules only);
    # `chart` attaches the nominations chart once there is a report to chart.
    progress: bool = False
    chart: bool = False

    @model_validator(mode="after")
    def _timing(self) -> Rule:
        timings = [t for t in (self.at, self.every, self.cadence, self.signup, self.meeting) if t]
        if len(timings) != 1:
            raise ValueError("give exactly one of at, every, cadence, signup or meeting")
        if (self.every or self.cadence) and (self.start is None or self.until is None):
            raise ValueError("every and cadence need from and until")
        if self.cadence is not None and self.time is None:
            raise ValueError("cadence needs a time")
        if (self.signup or self.meeting) and self.audience != "volunteer":
            raise ValueError("signup and meeting timings are for the volunteer audience")
        if self.branch != "any" and self.audience != "volunteer":
            raise ValueError("branch applies only to the volunteer audience")
        if self.repeat and (not self.meeting or self.meeting.days is None):
            raise ValueError("repeat goes with a meeting timing of days and time")
        if self.progress and self.audience != "channel":
            raise ValueError("progress posts go to channels (audience: channel)")
        if self.chart and not self.progress:
            raise ValueError("chart goes with progress: true")
        if self.phase == "ballot" and (self.branch != "any" or self.meeting):
            raise ValueError("ballot rules do not depend on the branch's nomination meeting")
        return self

    @model_validator(mode="after")
    def _experiment(self) -> Rule:
        if self.variants is None:
            if not self.text.strip():
                raise ValueError("give the rule's text (or 2 to 4 variants)")
            for key in ("holdout", "outcome_days"):
                if getattr(self, key) is not None:
                    raise ValueError(f"{key} goes with variants (2 to 4 wordings)")
            return self
        low, high = VARIANTS
        if not low <= len(self.variants) <= high:
            raise ValueError(f"variants: give {low} to {high} wordings, not {len(self.variants)}")
        if self.text:
            raise ValueError("give text or variants, not both: each variant has its own text")
        ids = [v.id for v in self.variants]
        if HOLDOUT in ids:
            raise ValueError(f"variants: {HOLDOUT!r} names the group that gets nothing")
        if len(set(ids)) != len(ids):
            raise ValueError(f"variants: each needs an id of its own ({', '.join(ids)})")
        if self.audience != "volunteer":
            raise ValueError("variants are for rules with the volunteer audience")
        if self.phase == "nominations" and self.branch == "any":
            raise ValueError(
                "variants in the nominations need branch: no-meeting or meeting-called, "
                "so the outcome (a meeting called, or a result reported) is clear"
            )
        if self.holdout is not None and not 0 <= self.holdout <= MAX_HOLDOUT:
            raise ValueError(f"holdout must be a share from 0 to {MAX_HOLDOUT}, not {self.holdout}")
        if self.outcome_days is not None and not 1 <= self.outcome_days <= 60:
            raise ValueError(f"outcome_days must be from 1 to 60, not {self.outcome_days}")
        return self

    @property
    def personal(self) -> bool:
        return self.audience in ("volunteer", "organisers")

    @property
    def holdout_share(self) -> float:
        return self.holdout or 0.0

    @property
    def window_days(self) -> int:
        """How long after a volunteer's first message from the rule its outcome counts."""
        return self.outcome_days or 7

    @property
    def outcome(self) -> Literal["meeting", "result", "voted"]:
        """What counts as the next step after the rule's message: a meeting called for
        the volunteer's branch, a result reported for it, or (the ballot) /voted."""
        if self.phase == "ballot":
            return "voted"
        return "result" if self.branch == "meeting-called" else "meeting"

    def wording(self, variant: str | None) -> str:
        """The text of `variant` (the rule's own text without variants)."""
        for option in self.variants or ():
            if option.id == variant:
                return option.text
        return self.text


class DigestText(_Model):
    """The organisers' daily digest, line by line; see DIGEST_FIELDS for what each may use."""

    heading: str
    reports: str
    no_reports: str
    stuck: str
    undeliverable: str
    unanswered: str
    help: str
    progress: str
    more: str
    ballot: str | None = None  # in the ballot, in place of `progress`


# Fields each digest line may use, beyond the pack's own.
DIGEST_FIELDS: dict[str, tuple[str, ...]] = {
    "heading": ("today",),
    "reports": ("count", "listed"),
    "no_reports": (),
    "stuck": ("count", "listed"),
    "undeliverable": ("count",),
    "unanswered": ("count",),
    "help": ("person", "platform", "where"),
    "progress": ("nominated", "verified", "days_left"),
    "more": ("count",),
    "ballot": ("voted", "volunteers", "pledged", "days_left"),
}


class QuietWindow(_Model):
    """When personal messages may go (local time): never before `start` or after `end`."""

    start: Time = Time(8, 0)
    end: Time = Time(21, 0)

    @model_validator(mode="after")
    def _order(self) -> QuietWindow:
        if not self.start < self.end:
            raise ValueError("start must come before end")
        return self


class RemindersFile(_Model):
    rules: list[Rule] = Field(default_factory=list)
    digest: DigestText | None = None
    quiet_hours: QuietWindow = QuietWindow()
    # The most personal messages one volunteer gets in a day (the highest priorities win).
    daily_limit: int = Field(default=1, ge=1, le=10)
    # The same on the day of the volunteer's branch meeting (the daily limit if not given).
    meeting_day_limit: int | None = Field(default=None, ge=1, le=10)

    @model_validator(mode="after")
    def _unique(self) -> RemindersFile:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"rule id {rule.id!r} is used twice")
            seen.add(rule.id)
        if self.digest is None and any(rule.audience == "organisers" for rule in self.rules):
            raise ValueError("rules for organisers need the digest's wording (digest:)")
        return self


# Anchors that are days, not timetable events: the last day to call a meeting with enough
# notice for the closing day, and a week before that.
DAY_ANCHORS = ("notice_cutoff", "check_in")


def check_reminders(
    path: Path, reminders: RemindersFile, known: Iterable[str], anchors: Iterable[str]
) -> None:
    """Every field a reminder's text (or the digest's) uses is one it can have, and every
    moment is anchored on something the timetable has: else PackError, naming where."""
    known = list(known)
    check_templates(
        path,
        {f"rules.{i}.text": r.text for i, r in enumerate(reminders.rules)},
        [*known, *REMINDER_FIELDS],
    )
    check_templates(
        path,
        {
            f"rules.{i}.variants.{n}.text": v.text
            for i, r in enumerate(reminders.rules)
            for n, v in enumerate(r.variants or ())
        },
        [*known, *REMINDER_FIELDS],
    )
    if reminders.digest is not None:
        for key, extra in DIGEST_FIELDS.items():
            check_templates(
                path, {f"digest.{key}": getattr(reminders.digest, key)}, [*known, *extra]
            )
    allowed = set(anchors)
    for i, rule in enumerate(reminders.rules):
        for key, moment in (("at", rule.at), ("from", rule.start), ("until", rule.until)):
            if moment is not None and moment.anchor not in allowed:
                raise PackError(
                    f"{path}, rules.{i}.{key}.anchor: unknown anchor "
                    f"{moment.anchor!r}; use one of {', '.join(sorted(allowed))}"
                )
