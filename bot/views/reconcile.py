"""Comparing the bot's records with the union's published branch-nominations report."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.campaign.branches import BranchDirectory
from bot.campaign.domain import Branch, BranchFacts, Outcome
from bot.campaign.pack import Campaign
from bot.campaign.packfiles import numbered_rows
from bot.errors import UserError


@dataclass(frozen=True, slots=True)
class Difference:
    kind: str  # missing | extra | conflict
    branch: Branch
    official: str | None
    reported: str | None

    def describe(self) -> str:
        where = f"{self.branch.name} ({self.branch.code})"
        if self.kind == "missing":
            return (
                f"missing: {where}: the official report has a nomination of {self.official}; "
                "nobody reported it."
            )
        if self.kind == "extra":
            return f"extra: {where}: reported as nominating {self.reported}; not in the official report."
        return f"conflict: {where}: the official report says {self.official}; reported as {self.reported}."


@dataclass
class Reconciliation:
    differences: list[Difference]
    agreeing: list[str]  # branch codes where the report and the records agree
    problems: list[str]  # rows of the report that could not be read


def read_report(text: str, branches: BranchDirectory) -> tuple[dict[str, str], list[str]]:
    """The report as {branch code: candidate}; unreadable rows named by line number."""
    rows = numbered_rows(text)
    if not rows:
        raise UserError("the report is empty")
    header = [c.strip().lower() for c in rows[0][1]]
    if "branch" not in header or "candidate" not in header:
        raise UserError("line 1: the report needs the columns branch and candidate")
    b, c = header.index("branch"), header.index("candidate")
    found: dict[str, str] = {}
    problems: list[str] = []
    for number, row in rows[1:]:
        if not any(cell.strip() for cell in row):
            continue
        name = row[b].strip() if b < len(row) else ""
        candidate = row[c].strip() if c < len(row) else ""
        if not name or not candidate:
            problems.append(f"line {number}: needs both a branch and a candidate")
            continue
        try:
            branch = branches.resolve(name)
        except UserError as error:
            problems.append(f"line {number}: {error.message}")
            continue
        found[branch.code] = candidate
    return found, problems


def reconcile(
    report: Mapping[str, str],
    records: Sequence[BranchFacts],
    branches: BranchDirectory,
    campaign: Campaign,
) -> Reconciliation:
    ours = campaign.candidate.name
    reported: dict[str, str | None] = {}
    for row in records:
        if row.outcome == Outcome.NOMINATED:
            reported[row.code] = ours
        elif row.outcome == Outcome.OTHER:
            reported[row.code] = row.nominee or ""
        elif row.outcome:
            reported[row.code] = None  # met, and made no nomination
    differences: list[Difference] = []
    agreeing: list[str] = []

    def same(official: str, mine: str | None) -> bool:
        if mine is None:
            return False
        if campaign.names_candidate(official):
            return mine == ours
        if mine == ours:
            return False
        return mine == "" or fuzz.WRatio(official.lower(), mine.lower()) >= 88

    for code, official in sorted(report.items()):
        branch = branches.get(code)
        assert branch is not None
        shown = ours if campaign.names_candidate(official) else official
        if code not in reported:
            differences.append(Difference("missing", branch, shown, None))
        elif same(official, reported[code]):
            agreeing.append(code)
        else:
            mine = reported[code]
            differences.append(
                Difference(
                    "conflict",
                    branch,
                    shown,
                    "no nomination" if mine is None else (mine or "another candidate"),
                )
            )
    for code, mine in sorted(reported.items()):
        if code in report or mine is None:
            continue
        branch = branches.get(code)
        if branch is not None:
            differences.append(Difference("extra", branch, None, mine or "another candidate"))
    order = {"missing": 0, "extra": 1, "conflict": 2}
    differences.sort(key=lambda d: (order[d.kind], d.branch.name))
    return Reconciliation(differences, agreeing, [])
