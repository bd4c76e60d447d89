"""The oracle's own reading of a campaign pack: the timetable, the nomination rules, the
branch list and the reminder rules, straight from the pack's files.

Deliberately not `bot.campaign.pack` or `bot.campaign.rules`: the oracle checks the code that
reads the pack, so it reads the pack itself, as a pack author would.
"""

from __future__ import annotations

import csv
import hashlib
import re
import string
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class PackBranch:
    code: str
    name: str
    group: str
    region: str


@dataclass(frozen=True)
class PackRule:
    id: str
    audience: str  # channel, volunteer, organisers
    phase: str  # nominations or ballot
    needs: str | None  # for volunteers: no-meeting, meeting-called, or any branch state
    at: datetime | None = None  # a one-off message's moment, where the rule has one
    priority: int = 0
    order: int = 0  # its place in the pack: the first of equal priorities wins a day
    signup_minutes: int | None = None  # sent this long after signing up
    meeting: tuple[int, time, int, int] | None = None  # days, time, repeat after, times
    after_end: int | None = None  # or this many minutes after the meeting ends
    start: datetime | None = None  # from
    until: datetime | None = None  # until (a day with no time: its end)
    cadence: tuple[tuple[int, int], ...] = ()  # (days left at least, every so many days)
    clock: time | None = None  # a cadence's time of day
    variants: tuple[str, ...] = ()  # a wording experiment's wordings, by id
    holdout: float = 0.0  # the share who get nothing from the rule
    outcome_days: int = 7


def group_of(campaign: str, rule: PackRule, platform: str, user: str) -> str | None:
    """A volunteer's group in a rule's wording experiment, as the README says it is
    worked out: SHA-256 of the campaign's name, the rule's id and "platform:user id"
    (joined by the unit separator), its first 8 bytes as a share of 2**64; below the
    holdout share, the holdout; the rest split evenly between the wordings in order."""
    if not rule.variants:
        return None
    key = "\x1f".join((campaign, rule.id, f"{platform}:{user}")).encode("utf-8")
    drawn = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2**64
    if drawn < rule.holdout:
        return "holdout"
    place = int((drawn - rule.holdout) / (1 - rule.holdout) * len(rule.variants))
    return rule.variants[min(place, len(rule.variants) - 1)]


@dataclass(frozen=True)
class PackRules:
    zone: tzinfo
    open: datetime
    close: datetime
    ballot_open: datetime
    ballot_close: datetime
    purge_after: datetime
    threshold: int
    notice_days: int
    quiet_start: time
    quiet_end: time
    branches: tuple[PackBranch, ...]
    rules: dict[str, PackRule] = field(default_factory=dict)
    daily_limit: int = 1  # personal messages to one volunteer in one day
    meeting_day_limit: int | None = None  # the same on the day of their branch's meeting
    meeting_start: time = time(12, 30)  # when a meeting starts if its caller gave no time
    meeting_length: timedelta = timedelta(hours=1)
    reasons: dict[str, re.Pattern[str]] = field(default_factory=dict)  # code -> wording
    name: str = ""  # the campaign's name: what wording experiments are keyed by

    def phase(self, now: datetime) -> str:
        if now < self.open:
            return "before"
        if now < self.close:
            return "nominations"
        if now < self.ballot_open:
            return "between"
        return "ballot" if now < self.ballot_close else "after"

    def boundaries(self) -> list[datetime]:
        return [self.open, self.close, self.ballot_open, self.ballot_close, self.purge_after]


def _moment(value: Any, zone: tzinfo) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time.min, tzinfo=zone)
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _hhmm(value: str) -> time:
    hours, minutes = str(value).split(":")
    return time(int(hours), int(minutes))


# What the pack's reminder rules and reasons fall back on when it does not say.
QUIET = (time(8, 0), time(21, 0))
REASONS = {
    "no-meeting-date": "meeting date not reported",
    "meeting-after-close": "meeting after the close",
    "meeting-before-open": "meeting before nominations opened",
    "meeting-to-come": "meeting not held yet",
    "no-notice-date": "notice date not reported",
    "short-notice": "only {days}' notice",
    "no-form": "form not sent yet",
    "form-before-meeting": "form dated before the meeting",
    "form-late": "form sent after the deadline",
}


def _wording(template: str) -> re.Pattern[str]:
    """A reason's wording as a pattern: {days} is a number of days, any other field text."""
    parts = []
    for literal, name, _, _ in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name == "days":
            parts.append(r"\d+ days?")
        elif name is not None:
            parts.append(".+?")
    return re.compile("".join(parts))


def _ballot_days(root: Path, table: dict[str, datetime], zone: tzinfo) -> dict[str, datetime]:
    path = root / "ballot.yaml"
    if not path.exists():
        return {}
    ballot = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    arrive = table["ballot_open"].date() + timedelta(days=int(ballot.get("papers_arrive_days", 0)))
    last = table["ballot_close"].date() - timedelta(days=int(ballot.get("posting_days", 0)))
    return {
        "papers_arrive": datetime.combine(arrive, time.min, zone),
        "last_posting_day": datetime.combine(last, time.min, zone),
    }


def _resolve(
    spec: Any, anchors: dict[str, datetime], days_only: set[str], zone: tzinfo, end: bool = False
) -> datetime | None:
    if not isinstance(spec, dict) or spec.get("anchor") not in anchors:
        return None
    base = anchors[spec["anchor"]]
    day = base.date() + timedelta(days=int(spec.get("days", 0)))
    if "time" in spec:
        clock = _hhmm(spec["time"])
    elif end and spec["anchor"] in days_only:
        clock = time(23, 59, 59)
    else:
        clock = base.timetz().replace(tzinfo=None)
    return datetime.combine(day, clock, tzinfo=zone)


def read_pack(root: Path, zone: tzinfo) -> PackRules:
    info = yaml.safe_load((root / "campaign.yaml").read_text(encoding="utf-8"))
    table = {name: _moment(entry["at"], zone) for name, entry in info["timetable"].items()}
    ballot_close = table["ballot_close"]
    purge = table.get("purge_after", ballot_close + timedelta(days=30))
    rules = info["rules"]
    notice_days = int(rules["notice_days"])
    cutoff = table["nominations_close"].date() - timedelta(days=notice_days)
    days_only = {
        "notice_cutoff": datetime.combine(cutoff, time.min, zone),
        "check_in": datetime.combine(cutoff - timedelta(days=7), time.min, zone),
        **_ballot_days(root, table, zone),
    }
    anchors = {**table, **days_only}
    lines = (root / "branches.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    branches = tuple(
        PackBranch(r["code"], r["name"], r.get("group", ""), r.get("region", "")) for r in rows
    )
    reminders = yaml.safe_load((root / "reminders.yaml").read_text(encoding="utf-8"))
    found: dict[str, PackRule] = {}
    for order, rule in enumerate(reminders.get("rules", [])):
        at = _resolve(rule.get("at"), anchors, set(days_only), zone)
        meeting = rule.get("meeting")
        repeat = rule.get("repeat") or {}
        found[rule["id"]] = PackRule(
            rule["id"],
            rule["audience"],
            rule.get("phase", "nominations"),
            rule.get("branch"),
            at,
            priority=int(rule.get("priority", 0)),
            order=order,
            signup_minutes=int(rule["signup"].get("minutes", 0)) if "signup" in rule else None,
            meeting=(
                int(meeting["days"]),
                _hhmm(meeting["time"]),
                int(repeat.get("after_days", 0)),
                int(repeat.get("times", 0)) if repeat else 0,
            )
            if isinstance(meeting, dict) and "days" in meeting
            else None,
            after_end=int(meeting["after_end_minutes"])
            if isinstance(meeting, dict) and "after_end_minutes" in meeting
            else None,
            start=_resolve(rule.get("from"), anchors, set(days_only), zone),
            until=_resolve(rule.get("until"), anchors, set(days_only), zone, end=True),
            cadence=tuple(
                (int(step["days_left"]), int(step["every"])) for step in rule.get("cadence", [])
            ),
            clock=_hhmm(rule["time"]) if "time" in rule else None,
            variants=tuple(str(v["id"]) for v in rule.get("variants") or ()),
            holdout=float(rule.get("holdout") or 0.0),
            outcome_days=int(rule.get("outcome_days") or 7),
        )
    quiet = reminders.get("quiet_hours") or {}
    held = root / "meeting.yaml"
    meetings = yaml.safe_load(held.read_text(encoding="utf-8")) if held.exists() else {}
    meetings = meetings or {}
    wording = {**REASONS, **(info.get("reasons") or {})}
    return PackRules(
        zone=zone,
        open=table["nominations_open"],
        close=table["nominations_close"],
        ballot_open=table["ballot_open"],
        ballot_close=ballot_close,
        purge_after=purge,
        threshold=int(rules["nomination_threshold"]),
        notice_days=notice_days,
        quiet_start=_hhmm(quiet["start"]) if "start" in quiet else QUIET[0],
        quiet_end=_hhmm(quiet["end"]) if "end" in quiet else QUIET[1],
        branches=branches,
        rules=found,
        daily_limit=int(reminders.get("daily_limit", 1)),
        meeting_day_limit=int(reminders["meeting_day_limit"])
        if reminders.get("meeting_day_limit") is not None
        else None,
        meeting_start=_hhmm(meetings["time"]) if "time" in meetings else time(12, 30),
        meeting_length=timedelta(minutes=int(meetings.get("duration_minutes", 60))),
        reasons={code: _wording(text) for code, text in wording.items()},
        name=str(info["name"]),
    )
