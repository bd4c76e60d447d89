"""Regions or groups side by side: branches, volunteers, meetings and nominations in each.

One breakdown serves /progress by:region|group, the organisers' Home and the export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.campaign.dates import plural
from bot.campaign.domain import BranchFacts, Outcome
from bot.campaign.pack import Campaign
from bot.views.pipeline import compliance

By = Literal["region", "group"]
BY: tuple[By, ...] = ("region", "group")
UNNAMED = "(none given)"


@dataclass(frozen=True, slots=True)
class Area:
    """One region or group."""

    name: str
    branches: int = 0
    volunteers: int = 0
    meetings: int = 0
    nominated: int = 0
    counted: int = 0

    def line(self) -> str:
        return (
            f"{self.name}: {self.counted} counted, {self.nominated} nominated, "
            f"{plural(self.meetings, 'meeting')}, {plural(self.volunteers, 'volunteer')}, "
            f"{plural(self.branches, 'branch', 'branches')}"
        )


def breakdown(rows: Sequence[BranchFacts], campaign: Campaign, by: By, now: datetime) -> list[Area]:
    """Each region (or group), most nominations first, then by name."""
    totals: dict[str, list[int]] = {}
    for row in rows:
        name = (row.region if by == "region" else row.group) or UNNAMED
        counts = totals.setdefault(name, [0, 0, 0, 0, 0])
        counts[0] += 1
        counts[1] += row.volunteers
        met = row.meeting_date is not None or row.outcome is not None  # called, or held
        counts[2] += 1 if met else 0
        if row.outcome == Outcome.NOMINATED:
            counts[3] += 1
            counts[4] += 0 if compliance(row, campaign, now) else 1
    areas = [Area(name, *counts) for name, counts in totals.items()]
    return sorted(areas, key=lambda a: (-a.counted, -a.nominated, -a.volunteers, a.name))


COLUMNS = ("name", "branches", "volunteers", "meetings", "nominated", "counted")


def as_rows(areas: Sequence[Area], by: By) -> list[dict[str, str | int | None]]:
    """For the CSV export: one row per area, its name in a column called `by`."""
    return [
        {
            by: a.name,
            "branches": a.branches,
            "volunteers": a.volunteers,
            "meetings": a.meetings,
            "nominated": a.nominated,
            "counted": a.counted,
        }
        for a in areas
    ]
