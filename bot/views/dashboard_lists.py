"""The dashboard's lists: unanswered questions, ballot turnout, reminders due."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from bot.campaign.ballot import BranchTurnout, ballot_period
from bot.campaign.dates import clock_time, day_name, plural, short_day
from bot.runtime.services import Services
from bot.views.dashboard import day_of
from bot.views.tables import Column, Page, Table, Value

REMINDER_HOURS = 24
QUESTIONS_SHOWN = 500


# --- questions, turnout, reminders -------------------------------------------------------


async def questions_page(services: Services, now: datetime) -> Page:
    queue = await services.store.questions.unanswered(limit=QUESTIONS_SHOWN)
    page = Page("questions", "Unanswered questions")
    page.lines.append(
        "Questions the bot could not answer, most asked first. Answer one in chat with "
        "/answer id:<number> text:<your answer>."
    )
    page.tables.append(
        Table(
            "questions",
            "Unanswered questions",
            (
                Column("id", "Number", numeric=True),
                Column("question", "Question"),
                Column("asked", "Times asked", numeric=True),
                Column("people", "People", numeric=True),
                Column("first_asked", "First asked"),
                Column("last_asked", "Last asked"),
            ),
            [
                (
                    q.id,
                    q.text,
                    q.asked_count,
                    q.askers,
                    day_of(q.first_asked_at, services),
                    day_of(q.last_asked_at, services),
                )
                for q in queue
            ],
            empty="No unanswered questions. Nice!",
        )
    )
    return page


_TURNOUT_COLUMNS = (
    Column("branches", "Branches with volunteers", numeric=True),
    Column("volunteers", "Volunteers", numeric=True),
    Column("voted", "Voted", numeric=True),
    Column("turnout", "Turnout"),
    Column("pledged", "Colleagues asked", numeric=True),
)


def _turnout_rows(
    turnout: Sequence[BranchTurnout], area: Mapping[str, str]
) -> list[tuple[Value, ...]]:
    totals: dict[str, list[int]] = {}
    for b in turnout:
        row = totals.setdefault(area.get(b.code) or b.region or "(none given)", [0, 0, 0, 0])
        for i, value in enumerate((1, b.volunteers, b.voted, b.pledged)):
            row[i] += value
    out: list[tuple[Value, ...]] = []
    for name in sorted(totals, key=str.casefold):
        branches, volunteers, voted, pledged = totals[name]
        share = f"{round(100 * voted / volunteers)}%" if volunteers else ""
        out.append((name, branches, volunteers, voted, share, pledged))
    return out


async def turnout_page(services: Services, now: datetime) -> Page:
    campaign = services.campaign
    turnout = await services.store.ballot.turnout()
    page = Page("turnout", "Ballot turnout")
    period = ballot_period(campaign, now)
    opens, closes = campaign.ballot_open, campaign.ballot_close
    if period == "before":
        page.lines.append(f"The ballot opens on {day_name(opens.date())}.")
    elif period == "open":
        days = (closes.date() - now.date()).days
        page.lines.append(
            f"The ballot is open: it closes in {plural(days, 'day')} ({day_name(closes.date())})."
        )
    else:
        page.lines.append(f"The ballot closed on {day_name(closes.date())}.")
    volunteers = sum(b.volunteers for b in turnout)
    voted = sum(b.voted for b in turnout)
    pledged = sum(b.pledged for b in turnout)
    page.lines.append(  # as /progress and the boards say it
        f"Volunteers who have voted: {voted} of {volunteers}; colleagues they have asked "
        f"to vote: {pledged}."
    )
    known = [*services.branches.branches, *services.branches.retired]
    groups = {b.code: b.group for b in known}
    regions = {b.code: b.region for b in known}
    for table, caption, key, label, of in (
        ("regions", "By region", "region", "Region", regions),
        ("groups", "By group", "group", "Group", groups),
    ):
        page.tables.append(
            Table(
                table,
                caption,
                (Column(key, label), *_TURNOUT_COLUMNS),
                _turnout_rows(turnout, of),
                empty="No volunteers yet.",
            )
        )
    return page


async def reminders_page(services: Services, now: datetime) -> Page:
    end = now + timedelta(hours=REMINDER_HOURS)
    plan = await services.reminders.plan(now, end)
    zone = services.settings.zone
    names = {b.code: b.name for b in (*services.branches.branches, *services.branches.retired)}
    page = Page("reminders", "Reminders due")
    page.lines.append(
        f"{plural(len(plan), 'message')} due in the next {REMINDER_HOURS} hours, to "
        f"{plural(len({p.recipient for p in plan}), 'recipient')}."
    )
    rows: list[tuple[Value, ...]] = []
    for item in plan:
        at = item.at.astimezone(zone)
        rows.append(
            (
                f"{short_day(at.date())} {clock_time(at)}",
                item.rule.id.replace("-", " "),
                f"{item.platform}:{item.target}",
                names.get(item.branch or "", item.branch or ""),
            )
        )
    page.tables.append(
        Table(
            "reminders",
            f"Due in the next {REMINDER_HOURS} hours",
            (
                Column("when", "When"),
                Column("reminder", "Reminder"),
                Column("to", "To"),
                Column("branch", "Branch"),
            ),
            rows,
            empty=f"Nothing is due in the next {REMINDER_HOURS} hours.",
        )
    )
    return page
