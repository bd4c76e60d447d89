"""The campaign at a glance: a person's Home, built from the store, for any platform.

A `HomeView` is a title and a few sections, each with lines and buttons. Slack shows it
as its App Home tab (`bot.adapters.slack_home`); the console and /home show the same
view as an ordinary reply. Nothing here knows about any platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.breakdown import BY, breakdown
from bot.dates import clock_time, day_name, plural, short_day
from bot.domain import BranchFacts, User, Volunteer
from bot.messages import Button, Reply
from bot.pipeline import (
    FINISHED,
    MEETING_CALLED,
    MEETING_HELD,
    NEXT_STEP,
    NO_VOLUNTEER,
    NOMINATED,
    STAGES,
    VOLUNTEER,
    Standing,
    bar,
    counting,
    stage_of,
    standings,
    tally_line,
)
from bot.services import Services
from bot.text import shorten
from schedules.deliver import Deliverer

DAYS_AHEAD = 7  # reminders shown this far ahead
STUCK_PER_STAGE = 3
LISTED = 10
QUESTIONS = 5  # unanswered questions shown, each with an Answer button


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    lines: tuple[str, ...] = ()
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True, slots=True)
class HomeView:
    title: str
    sections: tuple[Section, ...]
    branch_code: str | None = None  # a supporter's branch: reports about it change the view

    def as_reply(self) -> Reply:
        """The whole view as one reply: sections one after another, every button at the end."""
        parts: list[str] = []
        for section in self.sections:
            parts.append(section.title)
            parts.extend(section.lines)
            parts.append("")
        buttons = tuple(b for s in self.sections for b in s.buttons)
        return Reply(text="\n".join(parts).rstrip(), title=self.title, buttons=buttons)


async def build_home(services: Services, user: User, organiser: bool, now: datetime) -> HomeView:
    rows = await services.store.branches.facts()
    if organiser:
        return await _organiser_home(services, rows, now)
    return await _supporter_home(services, user, rows, now)


# --- a supporter ------------------------------------------------------------------------


async def _supporter_home(
    services: Services, user: User, rows: Sequence[BranchFacts], now: datetime
) -> HomeView:
    campaign = services.campaign
    need = campaign.rules.nomination_threshold
    tally = Section(
        "The campaign", (tally_line(counting(rows, campaign, now), need), _close(services, now))
    )
    volunteer = await services.store.people.volunteer(user)
    if volunteer is None:
        sign_up = Section(
            "Your branch",
            ("You're not signed up yet. /volunteer signs you up for your branch.",),
        )
        return HomeView(f"{campaign.candidate.name}: the campaign", (sign_up, tally))
    facts = next((r for r in rows if r.code == volunteer.branch_code), None)
    branch = _branch_section(services, volunteer, facts, now)
    reminders = await _reminders_section(services, user, volunteer, now)
    return HomeView(
        f"Your campaign: {volunteer.branch_name or volunteer.branch_code}",
        (branch, reminders, tally),
        volunteer.branch_code,
    )


def _branch_section(
    services: Services, volunteer: Volunteer, facts: BranchFacts | None, now: datetime
) -> Section:
    campaign = services.campaign
    name = volunteer.branch_name or volunteer.branch_code
    if facts is None:
        return Section("Your branch", (f"{name} is no longer on the branch list.",))
    stage, _ = stage_of(facts, now.date())
    step = NEXT_STEP[stage].format(form_sent_by=campaign.rules.form_sent_by)
    lines = [f"{name}: {stage}.", f"Next step: {step}"]
    code = facts.code
    buttons: list[Button] = []
    if stage in (NO_VOLUNTEER, VOLUNTEER):
        lines.append(f"By {day_name(campaign.notice_cutoff)}: the last day to call it with notice.")
        buttons.append(Button("Report the meeting", "meeting", {"branch": code}, "primary"))
    elif stage in (MEETING_CALLED, MEETING_HELD):
        if facts.meeting_date is not None:
            lines.append(f"The meeting: {day_name(facts.meeting_date)}.")
        buttons.append(Button("Report the result", "nominate", {"branch": code}, "primary"))
    elif stage == NOMINATED:
        close = campaign.nominations_close
        lines.append(f"By {clock_time(close)} {day_name(close.date())}: the form must arrive.")
        buttons.append(Button("Form sent", "formsent", {"branch": code}, "primary"))
    if not volunteer.opted_out:
        buttons.append(Button("Snooze", "snooze"))
        buttons.append(Button("Opt out", "optout", {}, "danger"))
    return Section("Your branch", tuple(lines), tuple(buttons))


async def _reminders_section(
    services: Services, user: User, volunteer: Volunteer, now: datetime
) -> Section:
    if volunteer.opted_out:
        return Section("Your reminders", ("Your reminders are off. /optin turns them back on.",))
    plan = await Deliverer(services, {}).plan(now, now + timedelta(days=DAYS_AHEAD))
    mine = [p for p in plan if p.platform == user.platform and p.target == user.id]
    if not mine:
        return Section("Your reminders", (f"None planned in the next {DAYS_AHEAD} days.",))
    zone = services.settings.zone
    lines = []
    for item in mine[:5]:
        at = item.at.astimezone(zone)
        lines.append(f"{short_day(at.date())} {clock_time(at)}: {item.rule.id.replace('-', ' ')}")
    return Section("Your reminders", tuple(lines))


def _close(services: Services, now: datetime) -> str:
    close = services.campaign.nominations_close
    if now >= close:
        return "Nominations have closed."
    days = (close.date() - now.date()).days
    return f"Nominations close in {plural(days, 'day')} ({clock_time(close)} {day_name(close.date())})."


# --- an organiser -----------------------------------------------------------------------


async def _organiser_home(
    services: Services, rows: Sequence[BranchFacts], now: datetime
) -> HomeView:
    campaign = services.campaign
    need = campaign.rules.nomination_threshold
    count = counting(rows, campaign, now)
    found = standings(rows, campaign, now)
    sections = [
        Section("Tally", (tally_line(count, need), bar(count.counted, need))),
        _stuck_section(services, found, now),
        _not_counting_section(services, found),
        await _questions_section(services),
        *(
            Section(
                f"By {by}",
                tuple(a.line() for a in breakdown(rows, campaign, by, now)[:LISTED])
                or ("No branches on the list.",),
            )
            for by in BY
        ),
        Section("Deadlines", tuple(deadlines(services, now))),
    ]
    return HomeView("Campaign overview", tuple(sections))


def _stuck_section(services: Services, found: Sequence[Standing], now: datetime) -> Section:
    zone = services.settings.zone
    lines = []
    for stage in STAGES:
        if stage in FINISHED or stage == NO_VOLUNTEER:
            continue
        waiting = sorted(
            (s for s in found if s.stage == stage and s.since), key=lambda s: s.since or now
        )
        if not waiting:
            continue
        named = []
        for item in waiting[:STUCK_PER_STAGE]:
            assert item.since is not None
            since = item.since if item.since.tzinfo else item.since.replace(tzinfo=zone)
            named.append(f"{item.name} ({plural(max(0, (now - since).days), 'day')})")
        lines.append(f"{stage}: {', '.join(named)}")
    return Section("Stuck longest", tuple(lines) or ("No branch is waiting at any stage.",))


def _not_counting_section(services: Services, found: Sequence[Standing]) -> Section:
    failing = [s for s in found if s.problems]
    lines = [
        f"{s.name}: {'; '.join(services.campaign.word(p) for p in s.problems)}"
        for s in failing[:LISTED]
    ]
    if len(failing) > LISTED:
        lines.append(f"and {len(failing) - LISTED} more")
    return Section("Will not count yet", tuple(lines) or ("Every reported nomination counts.",))


async def _questions_section(services: Services) -> Section:
    waiting = await services.store.questions.unanswered(limit=QUESTIONS)
    if not waiting:
        return Section("Unanswered questions", ("None waiting.",))
    lines = tuple(
        f"#{q.id}: {shorten(q.text, 150)} (asked {plural(q.asked_count, 'time')})" for q in waiting
    )
    buttons = tuple(Button(f"Answer #{q.id}", "answer", {"id": str(q.id)}) for q in waiting)
    return Section("Unanswered questions", lines, buttons)


def deadlines(services: Services, now: datetime) -> list[str]:
    """Days to each deadline still ahead."""
    campaign = services.campaign
    zone = services.settings.zone
    today = now.astimezone(zone).date()
    found = [
        ("Last day to call a meeting with notice", campaign.notice_cutoff),
        ("Nominations close", campaign.nominations_close.astimezone(zone).date()),
        ("Ballot opens", campaign.ballot_open.astimezone(zone).date()),
        ("Ballot closes", campaign.ballot_close.astimezone(zone).date()),
    ]
    lines = []
    for label, day in found:
        if day < today:
            continue
        left = (day - today).days
        when = "today" if left == 0 else f"in {plural(left, 'day')}"
        lines.append(f"{label}: {when} ({day_name(day)})")
    return lines or ["Every deadline has passed."]
