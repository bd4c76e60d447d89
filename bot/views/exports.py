"""CSV exports of nominations, volunteers, meetings and the ballot, for organisers and the CLI."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime

from bot.campaign.domain import BranchFacts, Meeting, Outcome, Volunteer
from bot.campaign.pack import Campaign
from bot.campaign.records import BranchNomination
from bot.store import Store
from bot.views.breakdown import By, as_rows, breakdown
from bot.views.pipeline import compliance

EXPORTS = ("nominations", "volunteers", "meetings", "ballot", "regions", "groups")

Cell = str | int | bool | date | datetime | None
Row = dict[str, Cell]

# What a spreadsheet reads as the start of a formula. Fullwidth and small forms (＝＋－＠,
# ﹦﹢﹣﹫) become these under NFKC, which some spreadsheets apply; the minus sign too.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\u2212")


def _formula_like(text: str) -> bool:
    if not text:
        return False
    first = unicodedata.normalize("NFKC", text[0])
    lead = unicodedata.normalize("NFKC", text.lstrip()[:1])
    return first.startswith(_FORMULA_START) or lead.startswith(_FORMULA_START)


def _cell(value: Cell, campaign: Campaign) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(campaign.zone).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    # Spreadsheets run cells that start like a formula; user text must never do that.
    return "'" + text if _formula_like(text) else text


def _nomination(
    item: BranchNomination, facts: BranchFacts | None, campaign: Campaign, now: datetime
) -> Row:
    n = item.nomination
    nominee = n.nominee
    if n.outcome == Outcome.NOMINATED and not nominee:
        nominee = campaign.candidate.name
    return {
        "branch_code": item.branch.code,
        "branch_name": item.branch.name,
        "group": item.branch.group,
        "region": item.branch.region,
        "outcome": str(n.outcome),
        "nominee": nominee,
        "meeting_date": n.meeting_date,
        "reported_by": n.reported_by,
        "platform": n.platform,
        "reported_at": n.reported_at,
        "report_count": n.report_count,
        "verified": n.verified,
        "verified_by": n.verified_by,
        "verified_at": n.verified_at,
        **_counts(n.outcome, facts, campaign, now),
        "retired": facts is not None and facts.retired,  # off the branch list; still counts
    }


def _counts(outcome: Outcome, facts: BranchFacts | None, campaign: Campaign, now: datetime) -> Row:
    """Notice, form and whether the nomination counts (and why not), as the pipeline sees it."""
    if facts is None:
        return {}
    sent = facts.form_sent_at
    row: Row = {
        "notice_date": facts.notice_date,
        "form_sent_on": sent.astimezone(campaign.zone).date() if sent else None,
        "official": facts.form_official,
    }
    if outcome == Outcome.NOMINATED:
        problems = compliance(facts, campaign, now)
        row["counts"] = not problems
        row["reasons"] = "; ".join(campaign.word(p) for p in problems)
        row["reason_codes"] = " ".join(p.reason for p in problems)
    return row


def _volunteer(v: Volunteer) -> Row:
    return {
        "branch_code": v.branch_code,
        "branch_name": v.branch_name,
        "display_name": v.display_name,
        "platform": v.platform,
        "platform_user_id": v.platform_user_id,
        "signed_up_at": v.signed_up_at,
        "consent_at": v.consent_at,
        "opted_out": v.opted_out,
    }


def _meeting(m: Meeting) -> Row:
    return {
        "branch_code": m.branch_code,
        "branch_name": m.branch_name,
        "meeting_date": m.meeting_date,
        "notice_date": m.notice_date,
        "reported_by": m.reported_by,
        "platform": m.platform,
        "reported_at": m.reported_at,
        "time": f"{m.meeting_time:%H:%M}" if m.meeting_time else None,  # None: the pack's
        "place": m.place,
    }


def _csv(rows: Sequence[Row], columns: Sequence[str], campaign: Campaign) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column), campaign) for column in columns])
    return buffer.getvalue()


def table_csv(columns: Sequence[str], rows: Sequence[Sequence[Cell]], campaign: Campaign) -> str:
    """Any table as CSV, with the exports' escaping (no cell starts like a formula)."""
    return _csv([dict(zip(columns, row, strict=True)) for row in rows], columns, campaign)


async def export_csv(store: Store, campaign: Campaign, what: str, now: datetime) -> tuple[str, int]:
    """The CSV text of one export (whether each nomination counts as at `now`) and its
    number of data rows."""
    rows: list[Row]
    if what == "nominations":
        facts = {f.code: f for f in await store.branches.facts()}
        rows = [
            _nomination(n, facts.get(n.branch.code), campaign, now)
            for n in await store.reports.nominations()
        ]
    elif what == "volunteers":
        rows = [_volunteer(v) for v in await store.reports.volunteers()]
    elif what == "meetings":
        rows = [_meeting(m) for m in await store.reports.meetings()]
    elif what == "ballot":
        rows = [
            {"branch_code": b.code, "branch_name": b.name, "voted": b.voted, "pledged": b.pledged}
            for b in await store.ballot.turnout()
        ]
    elif what in ("regions", "groups"):
        by: By = "region" if what == "regions" else "group"
        rows = [
            dict(r) for r in as_rows(breakdown(await store.branches.facts(), campaign, by, now), by)
        ]
    else:
        raise ValueError(f"unknown export {what!r}")
    return _csv(rows, COLUMNS[what], campaign), len(rows)


COLUMNS: dict[str, tuple[str, ...]] = {
    "nominations": (
        "branch_code",
        "branch_name",
        "group",
        "region",
        "outcome",
        "nominee",
        "meeting_date",
        "reported_by",
        "platform",
        "reported_at",
        "report_count",
        "verified",
        "verified_by",
        "verified_at",
        "notice_date",
        "form_sent_on",
        "official",
        "counts",
        "reasons",
        "reason_codes",
        "retired",
    ),
    "volunteers": (
        "branch_code",
        "branch_name",
        "display_name",
        "platform",
        "platform_user_id",
        "signed_up_at",
        "consent_at",
        "opted_out",
    ),
    "meetings": (
        "branch_code",
        "branch_name",
        "meeting_date",
        "notice_date",
        "reported_by",
        "platform",
        "reported_at",
        "time",
        "place",
    ),
    # Per branch with volunteers: volunteers who said they voted, and colleagues asked.
    "ballot": ("branch_code", "branch_name", "voted", "pledged"),
    # Regions or groups side by side (bot.views.breakdown).
    "regions": ("region", "branches", "volunteers", "meetings", "nominated", "counted"),
    "groups": ("group", "branches", "volunteers", "meetings", "nominated", "counted"),
}
