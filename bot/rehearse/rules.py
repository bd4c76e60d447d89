"""The oracle's own reading of a campaign pack: the timetable, the nomination rules, the
branch list and the reminder rules, straight from the pack's files.

Deliberately not `bot.campaign` or `schedules.rules`: the oracle checks the code that
reads the pack, so it reads the pack itself, as a pack author would.
"""

from __future__ import annotations

import csv
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


def read_pack(root: Path, zone: tzinfo, quiet: tuple[time, time]) -> PackRules:
    info = yaml.safe_load((root / "campaign.yaml").read_text(encoding="utf-8"))
    table = {name: _moment(entry["at"], zone) for name, entry in info["timetable"].items()}
    ballot_close = table["ballot_close"]
    purge = table.get("purge_after", ballot_close + timedelta(days=30))
    rules = info["rules"]
    notice_days = int(rules["notice_days"])
    anchors = {
        **table,
        "notice_cutoff": datetime.combine(
            table["nominations_close"].date() - timedelta(days=notice_days), time.min, zone
        ),
    }
    lines = (root / "branches.csv").read_text(encoding="utf-8").splitlines()
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    branches = tuple(
        PackBranch(r["code"], r["name"], r.get("group", ""), r.get("region", "")) for r in rows
    )
    reminders = yaml.safe_load((root / "reminders.yaml").read_text(encoding="utf-8"))
    found: dict[str, PackRule] = {}
    for rule in reminders.get("rules", []):
        at = None
        spec = rule.get("at")
        if isinstance(spec, dict) and spec.get("anchor") in anchors:
            base = anchors[spec["anchor"]]
            day = base.date() + timedelta(days=int(spec.get("days", 0)))
            clock = _hhmm(spec["time"]) if "time" in spec else base.timetz().replace(tzinfo=None)
            at = datetime.combine(day, clock, tzinfo=zone)
        found[rule["id"]] = PackRule(
            rule["id"], rule["audience"], rule.get("phase", "nominations"), rule.get("branch"), at
        )
    return PackRules(
        zone=zone,
        open=table["nominations_open"],
        close=table["nominations_close"],
        ballot_open=table["ballot_open"],
        ballot_close=ballot_close,
        purge_after=purge,
        threshold=int(rules["nomination_threshold"]),
        notice_days=notice_days,
        quiet_start=quiet[0],
        quiet_end=quiet[1],
        branches=branches,
        rules=found,
    )
