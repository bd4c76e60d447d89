"""The organisers' web dashboard, as data: each page's summary lines and tables.

The web layer (`bot.dashboard`) renders these as HTML or CSV; nothing here knows about
HTTP or markup. Values are plain text and numbers: escaping is the renderer's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, urlencode

from bot.campaign.ballot import ballot_period
from bot.campaign.dates import clock_time, day_name, plural, short_day
from bot.campaign.domain import BranchFacts, Outcome
from bot.campaign.phases import phase_of
from bot.runtime.services import Services
from bot.views.breakdown import breakdown
from bot.views.pipeline import (
    STAGES,
    Standing,
    counting,
    days_since,
    history_line,
    meeting_line,
    next_step,
    stage_of,
    standings,
    verdict,
    will_it_count,
)
from bot.views.tables import Column, Filter, Link, Page, Table, Value, csv_rows

__all__ = ["PAGES", "Page", "csv_rows", "page_order", "sort_href"]


# The pages in the menu, as (slug, title); the first is where a sign-in lands.
PAGES: dict[str, str] = {
    "tally": "Tally",
    "branches": "Branches",
    "questions": "Questions",
    "turnout": "Ballot turnout",
    "reminders": "Reminders",
}


def page_order(services: Services, now: datetime) -> list[str]:
    """The menu: in the ballot (and after it) turnout comes first, nominations before."""
    order = list(PAGES)
    if phase_of(services.campaign, now) in ("ballot", "after"):
        order.remove("turnout")
        order.insert(0, "turnout")
    return order


def day_of(moment: datetime | date | None, services: Services) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        moment = moment.astimezone(services.settings.zone).date()
    return short_day(moment)


def branch_href(code: str) -> str:
    return f"/branches/{quote(code, safe='')}"


# --- the tally --------------------------------------------------------------------------


async def tally_page(services: Services, now: datetime) -> Page:
    campaign = services.campaign
    facts = await services.store.branches.facts()
    tally = await services.store.nominations.tally()
    count = counting(facts, campaign, now)
    need = campaign.threshold
    name = campaign.candidate.name
    page = Page("tally", "Tally", progress=(count.counted, need))
    if count.counted >= need:
        page.lines.append(
            f"{name}: {count.counted} branches count towards the {need} needed: threshold "
            f"reached ({count.counted_verified} verified)."
        )
    elif now >= campaign.nominations_close:
        page.lines.append(
            f"{name}: {count.counted} of the {need} branches needed counted "
            f"({count.counted_verified} verified). Nominations have closed, so no more "
            "meetings can count."
        )
    else:
        page.lines.append(
            f"{name}: {count.counted} of the {need} branches needed count so far "
            f"({count.counted_verified} verified). {need - count.counted} more to go."
        )
    if tally.other:
        named = sorted(((n or "not named"), c) for n, c in tally.other_by_nominee.items())
        detail = ", ".join(f"{n} {c}" for n, c in named)
        page.lines.append(
            f"Other candidates: {plural(tally.other, 'branch', 'branches')} ({detail})."
        )
    else:
        page.lines.append("Other candidates: none reported yet.")
    page.lines.append(
        f"Meetings called: {plural(tally.branches_with_meeting, 'branch', 'branches')}, "
        f"{tally.meetings_awaiting_outcome} still to report a result."
    )
    close = campaign.nominations_close
    when = f"{clock_time(close)} {day_name(close.date())}"
    if now >= close:
        page.lines.append(f"Nominations closed at {when}.")
    else:
        days = (close.date() - now.date()).days
        page.lines.append(f"Nominations close in {plural(days, 'day')} ({when}).")
    waiting = sorted(
        ((branch, reason) for reason, names in count.waiting.items() for branch in names),
        key=lambda pair: pair,
    )
    codes = {f.name: f.code for f in facts}
    page.tables.append(
        Table(
            "waiting",
            "Reported for us but not counted yet",
            (Column("branch", "Branch"), Column("reason", "Why not")),
            [(Link(b, branch_href(codes.get(b, b))), reason) for b, reason in waiting]
            + [
                (Link(b, branch_href(codes.get(b, b))), f"meeting on {short_day(day)} to come")
                for b, day in count.pending
            ],
            empty="None: every nomination reported for us counts.",
        )
    )
    areas = breakdown(facts, campaign, "region", now)
    page.tables.append(
        Table(
            "regions",
            "By region",
            (
                Column("region", "Region"),
                Column("branches", "Branches", numeric=True),
                Column("volunteers", "Volunteers", numeric=True),
                Column("meetings", "Meetings", numeric=True),
                Column("nominated", "Nominated us", numeric=True),
                Column("counted", "Counted", numeric=True),
            ),
            [(a.name, a.branches, a.volunteers, a.meetings, a.nominated, a.counted) for a in areas],
        )
    )
    page.chart_alt = (
        f"Chart of nominations by day against the threshold of {need}: "
        f"{count.counted} counted so far."
    )
    return page


async def chart_png(services: Services, now: datetime) -> bytes:
    """The /progress chart: nominations over time, and the ballot below once it opens."""
    from bot.views.chart import ballot_png, progress_png, stacked_png

    store = services.store
    campaign = services.campaign
    png = progress_png(
        await store.nominations.timeline(), campaign, now, await store.branches.facts()
    )
    if ballot_period(campaign, now) != "before":
        png = stacked_png(png, ballot_png(await store.ballot.turnout(), campaign, now))
    return png


# --- the branches -----------------------------------------------------------------------

BRANCH_COLUMNS = (
    Column("branch", "Branch", sortable=True),
    Column("region", "Region", sortable=True),
    Column("group", "Group", sortable=True),
    Column("stage", "Stage", sortable=True),
    Column("counts", "Counts?", sortable=True),
    Column("volunteers", "Volunteers", numeric=True, sortable=True),
    Column("last_step", "Last step", sortable=True),
    Column("days_since", "Days since", numeric=True, sortable=True),
)
_SORTS = {c.key for c in BRANCH_COLUMNS}


def _counts(row: BranchFacts, standing: Standing, services: Services) -> str:
    if row.outcome != Outcome.NOMINATED:
        return ""
    return will_it_count(standing.problems, True, services.campaign) or ""


async def branches_page(services: Services, now: datetime, query: Mapping[str, str]) -> Page:
    campaign = services.campaign
    facts = await services.store.branches.facts()
    found = standings(facts, campaign, now)
    by_code = {f.code: f for f in facts}
    chosen = {k: (query.get(k) or "").strip() for k in ("region", "group", "stage")}
    filters = [
        Filter(
            "region",
            "Region",
            tuple(sorted({s.region for s in found if s.region})),
            chosen["region"],
        ),
        Filter(
            "group", "Group", tuple(sorted({s.group for s in found if s.group})), chosen["group"]
        ),
        Filter(
            "stage",
            "Stage",
            tuple(st for st in STAGES if any(s.stage == st for s in found)),
            chosen["stage"],
        ),
    ]
    shown = [
        s
        for s in found
        if (not chosen["region"] or s.region == chosen["region"])
        and (not chosen["group"] or s.group == chosen["group"])
        and (not chosen["stage"] or s.stage == chosen["stage"])
    ]
    sort = query.get("sort") or "branch"
    sort = sort if sort in _SORTS else "branch"
    descending = query.get("dir") == "desc"
    stage_rank = {st: i for i, st in enumerate(STAGES)}

    def key(s: Standing) -> tuple[Any, ...]:
        row = by_code[s.code]
        keys: dict[str, Any] = {
            "branch": s.name.casefold(),
            "region": s.region.casefold(),
            "group": s.group.casefold(),
            "stage": stage_rank.get(s.stage, 0),
            "counts": str(verdict(s.problems)) if row.outcome == Outcome.NOMINATED else "",
            "volunteers": row.volunteers,
            "last_step": s.since.timestamp() if s.since else 0.0,
            "days_since": days_since(s, now) if s.since else -1,
        }
        return (keys[sort], s.name.casefold())

    shown.sort(key=key, reverse=descending)
    rows: list[tuple[Value, ...]] = []
    for s in shown:
        row = by_code[s.code]
        rows.append(
            (
                Link(s.name, branch_href(s.code)),
                s.region,
                s.group,
                s.stage,
                _counts(row, s, services),
                row.volunteers,
                day_of(s.since, services),
                days_since(s, now) if s.since else None,
            )
        )
    page = Page("branches", "Branches", filters=filters)
    total = plural(len(found), "branch", "branches")
    page.lines.append(
        f"Showing {len(shown)} of {total}." if len(shown) != len(found) else f"{total}."
    )
    for f in filters:  # a value from an old bookmark or a hand-typed address
        known = STAGES if f.name == "stage" else f.options
        if f.chosen and f.chosen not in known:
            shown_as = f.chosen if len(f.chosen) <= 40 else f.chosen[:40] + "…"
            page.lines.append(
                f"There is no {f.label.lower()} called “{shown_as}”: choose one from the list."
            )
    page.tables.append(
        Table(
            "branches",
            "Every branch",
            BRANCH_COLUMNS,
            rows,
            empty="No branch matches these filters.",
            sort=sort,
            descending=descending,
        )
    )
    page.query = {k: v for k, v in chosen.items() if v}
    if sort != "branch" or descending:
        page.query |= {"sort": sort, "dir": "desc" if descending else "asc"}
    return page


def sort_href(page: Page, column: Column, table: Table) -> str:
    """The branches table sorted on `column`: again on the same column, the other way."""
    filters = {k: v for k, v in page.query.items() if k not in ("sort", "dir")}
    direction = "desc" if table.sort == column.key and not table.descending else "asc"
    return "?" + urlencode({**filters, "sort": column.key, "dir": direction})


async def branch_page(services: Services, now: datetime, code: str) -> Page | None:
    store = services.store
    rows = await store.branches.facts(code)
    if not rows:
        return None
    facts = rows[0]
    zone = services.settings.zone
    campaign = services.campaign
    stage, since = stage_of(facts, now.astimezone(zone).date(), campaign.zone)
    page = Page("branch", facts.name)
    page.lines.append(
        f"{facts.group}, {facts.region}. Stage: {stage}"
        + (f" (since {day_of(since, services)})." if since else ".")
    )
    if facts.retired:
        page.lines.append("Retired from the branch list: its records stay, and count as before.")
    verdict_text = will_it_count(
        standings([facts], campaign, now)[0].problems,
        facts.outcome == Outcome.NOMINATED,
        campaign,
    )
    if verdict_text:
        page.lines.append(f"Will it count? {verdict_text}")
    page.lines.append(f"Next step: {next_step(stage, campaign, now)}")
    events: list[tuple[datetime, str, str]] = []
    for meeting in await store.meetings.of_branch(code):
        what = (
            f"meeting on {day_name(meeting.meeting_date)} cancelled"
            if meeting.cancelled
            else meeting_line(meeting.meeting_date, meeting.notice_date)
        )
        events.append((meeting.reported_at, what, meeting.reported_by or ""))
    for event in await store.nominations.history(code):
        line = history_line(event, zone, organiser=False)
        events.append((event.at, line.partition(": ")[2], event.display_name or ""))
    events.sort(key=lambda e: e[0])
    page.tables.append(
        Table(
            "history",
            "History",
            (Column("when", "When"), Column("what", "What"), Column("by", "Reported by")),
            [(day_of(at, services), what, who) for at, what, who in events],
            empty="Nothing reported for this branch yet.",
        )
    )
    volunteers = await store.reports.volunteers(code)
    page.tables.append(
        Table(
            "volunteers",
            "Volunteers",
            (
                Column("name", "Name"),
                Column("platform", "Platform"),
                Column("signed_up", "Signed up"),
                Column("reminders", "Reminders"),
            ),
            [
                (
                    v.display_name,
                    v.platform,
                    day_of(v.signed_up_at, services),
                    "off" if v.opted_out else "on",
                )
                for v in volunteers
            ],
            empty="No volunteer here yet.",
        )
    )
    return page
