"""CSV exports of nominations, volunteers and meetings, for organisers and the CLI."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from bot.campaign import Campaign
from bot.store import OUTCOME_NOMINATED, Store

EXPORTS = ("nominations", "volunteers", "meetings")

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
    ),
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any, campaign: Campaign) -> str:
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
    return "'" + text if text.startswith(_FORMULA_START) else text


def _rows(what: str, rows: Sequence[Mapping[str, Any]], campaign: Campaign) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        if what == "nominations":
            nominee = row["nominee"]
            if row["outcome"] == OUTCOME_NOMINATED and not nominee:
                nominee = campaign.candidate.name
            out.append(
                {
                    "branch_code": row["branch_code"],
                    "branch_name": row["branch_name"],
                    "group": row["group_name"],
                    "region": row["region"],
                    "outcome": row["outcome"],
                    "nominee": nominee,
                    "meeting_date": row["meeting_date"],
                    "reported_by": row["reporter_name"],
                    "platform": row["platform"],
                    "reported_at": row["reported_at"],
                    "report_count": row["report_count"],
                    "verified": row["verified_at"] is not None,
                    "verified_by": row["verifier_name"],
                    "verified_at": row["verified_at"],
                }
            )
        elif what == "meetings":
            out.append({**row, "reported_by": row["reporter_name"]})
        else:
            out.append(dict(row))
    return out


async def export_csv(store: Store, campaign: Campaign, what: str) -> tuple[str, int]:
    """The CSV text of one export and its number of data rows."""
    if what not in EXPORTS:
        raise ValueError(f"unknown export {what!r}")
    fetch = {
        "nominations": store.export_nominations,
        "volunteers": store.export_volunteers,
        "meetings": store.export_meetings,
    }[what]
    rows = _rows(what, await fetch(), campaign)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = COLUMNS[what]
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column), campaign) for column in columns])
    return buffer.getvalue(), len(rows)
