"""Scheduled progress posts: channel rules in the pack marked `progress: true`.

A progress post is the rule's own words, then where the campaign stands against the
threshold; with `chart: true` the nominations chart goes with it once there is a report
to chart (an empty chart adds nothing). `progress_posts` lists the posts due in a window
from the pack alone, for `mobilise schedule` and for counting a rehearsed campaign.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.campaign.dates import plural
from bot.campaign.domain import BranchFacts
from bot.campaign.pack import Campaign
from bot.campaign.rules import Rule
from bot.views.pipeline import (
    PENDING,
    bar,
    counting,
    describe_pending,
    describe_waiting,
    tally_line,
)
from schedules.planner import Planner
from schedules.plans import QuietHours

TITLE = "Nomination progress"


@dataclass(frozen=True, slots=True)
class ProgressPost:
    """One progress post, due at `at`, to every broadcast channel subscribed by then."""

    at: datetime
    rule: Rule


def progress_posts(
    campaign: Campaign, zone: ZoneInfo, start: datetime, end: datetime
) -> list[ProgressPost]:
    """The progress posts the pack's rules make due in [start, end), in time order."""
    planner = Planner(campaign, zone, QuietHours())
    found = [
        ProgressPost(moment, rule)
        for rule in campaign.reminders
        if rule.progress
        for moment in planner.moments(rule, start, end)
    ]
    return sorted(found, key=lambda p: (p.at, p.rule.id))


def progress_lines(rows: Sequence[BranchFacts], campaign: Campaign, now: datetime) -> list[str]:
    """Where the campaign stands: the tally, the threshold bar, what does not count yet."""
    need = campaign.rules.nomination_threshold
    count = counting(rows, campaign, now)
    lines = [tally_line(count, need), bar(count.counted, need)]
    if count.not_counted:
        lines.append(
            f"Reported but not counted yet: {plural(count.not_counted, 'branch', 'branches')} "
            f"({describe_waiting(count)})."
        )
    if count.pending:
        lines.append(PENDING.format(listed=describe_pending(count)))
    return lines
