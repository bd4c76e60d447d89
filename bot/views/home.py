"""The campaign at a glance: a person's Home, built from the store, for any platform.

A `HomeView` is a title and a few sections, each with lines and buttons. Slack shows it
as its App Home tab (`bot.adapters.slack_home`); the console and /home show the same
view as an ordinary reply. Nothing here knows about any platform.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.campaign.ballot import BranchTurnout, by_region, last_posting_day
from bot.campaign.dates import clock_time, day_name, plural, short_day
from bot.campaign.domain import BranchFacts, User, Volunteer
from bot.campaign.phases import Phase, phase_of, steps_for_phase
from bot.runtime.messages import Button, Reply
from bot.runtime.services import Services
from bot.text import shorten
from bot.views.breakdown import BY, By, breakdown
from bot.views.pipeline import (
    MEETING_CALLED,
    MEETING_HELD,
    NO_VOLUNTEER,
    NOMINATED,
    STAGES,
    STEP_NAME,
    VOLUNTEER,
    Standing,
    bar,
    counting,
    days_since,
    next_step,
    stage_of,
    standings,
    stuck_longest,
    tally_line,
    to_verify,
)

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
    phase = phase_of(campaign, now)
    need = campaign.rules.nomination_threshold
    tally = Section(
        "The campaign", (tally_line(counting(rows, campaign, now), need), _close(services, now))
    )
    volunteer = await services.store.people.volunteer(user)
    ballot = await _ballot_section(services, user, phase, now)
    if volunteer is None:
        sign_up = Section("Your branch", (_SIGN_UP[phase],))
        sections = (ballot, sign_up, tally) if ballot else (sign_up, tally)
        return HomeView(f"{campaign.candidate.name}: the campaign", sections)
    facts = next((r for r in rows if r.code == volunteer.branch_code), None)
    branch = _branch_section(services, volunteer, facts, phase, now)
    reminders = await _reminders_section(services, user, volunteer, now)
    title = f"Your campaign: {volunteer.branch_name or volunteer.branch_code}"
    if ballot is not None:  # in the ballot, voting comes first
        return HomeView(title, (ballot, branch, reminders, tally), volunteer.branch_code)
    return HomeView(title, (branch, reminders, tally), volunteer.branch_code)


_SIGN_UP: dict[Phase, str] = {
    "before": "You're not signed up yet. /volunteer signs you up for your branch.",
    "nominations": "You're not signed up yet. /volunteer signs you up for your branch.",
    "between": "You're not signed up yet. /volunteer signs you up, and I'll remind you to "
    "vote when the ballot opens.",
    "ballot": "You're not signed up yet. /volunteer signs you up, and I'll remind you to "
    "vote until the ballot closes.",
    "after": "The campaign is over: thank you.",
}


def _branch_section(
    services: Services,
    volunteer: Volunteer,
    facts: BranchFacts | None,
    phase: Phase,
    now: datetime,
) -> Section:
    campaign = services.campaign
    name = volunteer.branch_name or volunteer.branch_code
    if facts is None or facts.retired:
        return Section("Your branch", (f"{name} is no longer on the branch list.",))
    stage, _ = stage_of(facts, now.astimezone(campaign.zone).date(), campaign.zone)
    lines = [f"{name}: {stage}."]
    code = facts.code
    buttons: list[Button] = []
    nominating = phase in ("before", "nominations")
    if nominating:
        lines.append(f"Next step: {next_step(stage, campaign, now)}")
    elif phase in ("between", "after"):
        lines.append(steps_for_phase(campaign, now) or "")
    if nominating and stage in (NO_VOLUNTEER, VOLUNTEER):
        cutoff = campaign.notice_cutoff
        if now.astimezone(campaign.zone).date() <= cutoff:
            lines.append(f"By {day_name(cutoff)}: the last day to call it with notice.")
        buttons.append(Button("Report the meeting", "meeting", {"branch": code}, "primary"))
    elif phase in ("before", "nominations", "between") and stage in (MEETING_CALLED, MEETING_HELD):
        if facts.meeting_date is not None:
            lines.append(f"The meeting: {day_name(facts.meeting_date)}.")
        buttons.append(Button("Report the result", "nominate", {"branch": code}, "primary"))
        if stage == MEETING_CALLED:  # still to come: the notice, to send or send again
            buttons.append(Button("Meeting notice", "notice", {"branch": code}))
    elif phase in ("before", "nominations", "between") and stage == NOMINATED:
        close = campaign.nominations_close
        lines.append(f"By {clock_time(close)} {day_name(close.date())}: the form must arrive.")
        buttons.append(Button("Form sent", "formsent", {"branch": code}, "primary"))
    if not volunteer.opted_out and phase != "after":
        buttons.append(Button("Snooze", "snooze"))
        buttons.append(Button("Opt out", "optout", {}, "danger"))
    return Section("Your branch", tuple(lines), tuple(buttons))


async def _ballot_section(
    services: Services, user: User, phase: Phase, now: datetime
) -> Section | None:
    """In the ballot: how to vote, the days left, and what the person has told us."""
    if phase != "ballot":
        return None
    campaign = services.campaign
    close = campaign.ballot_close
    today = now.astimezone(campaign.zone).date()
    left = (close.astimezone(campaign.zone).date() - today).days
    when = f"{clock_time(close)} on {day_name(close.astimezone(campaign.zone).date())}"
    lines = [
        f"The ballot is open: it closes today at {when}."
        if left == 0
        else f"The ballot is open: {plural(left, 'day')} left. It closes at {when}."
    ]
    facts = campaign.ballot
    if facts is not None:
        lines.append(campaign.fill(facts.how_to_vote.text))
        posting = last_posting_day(campaign)
        if today <= posting:
            lines.append(f"Post your vote by {day_name(posting)} to be sure it arrives in time.")
    status = await services.store.ballot.status(user)
    buttons: list[Button] = []
    if status is None:
        lines.append("Voted? Tell me with /voted.")
        buttons.append(Button("Voted", "voted", {}, "primary"))
    elif not status.voted:
        lines.append("Voted? Tell me with /voted and your vote reminders stop.")
        buttons.append(Button("Voted", "voted", {}, "primary"))
    else:
        lines.append("You've told me you voted: thank you!")
    asked = status.pledged if status is not None else 0
    lines.append(
        f"Colleagues you've asked to vote: {asked}. Ask more, and tell me how many with /pledge."
    )
    buttons += [Button("Pledge", "pledge"), Button("Not arrived", "notarrived")]
    return Section("The ballot", tuple(lines), tuple(buttons))


async def _reminders_section(
    services: Services, user: User, volunteer: Volunteer, now: datetime
) -> Section:
    if volunteer.opted_out:
        return Section("Your reminders", ("Your reminders are off. /optin turns them back on.",))
    plan = await services.reminders.plan(now, now + timedelta(days=DAYS_AHEAD))
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
    phase = phase_of(campaign, now)
    tally = Section("Tally", (tally_line(count, need), bar(count.counted, need)))
    todo = _todo_section(services, rows)
    questions = await _questions_section(services)
    ahead = Section("Deadlines", tuple(deadlines(services, now)))
    if phase in ("ballot", "after"):
        turnout = await services.store.ballot.turnout()
        sections = [
            tally,
            *_turnout_sections(turnout, rows),
            *([todo] if todo.buttons else []),
            questions,
            ahead,
        ]
        return HomeView("Campaign overview", tuple(sections))
    sections = [
        tally,
        _stuck_section(services, found, now),
        todo,
        _not_counting_section(services, found),
        questions,
        *(
            Section(
                f"By {by}",
                tuple(a.line() for a in breakdown(rows, campaign, by, now)[:LISTED])
                or ("No branches on the list.",),
            )
            for by in BY
        ),
        ahead,
    ]
    return HomeView("Campaign overview", tuple(sections))


def _stuck_section(services: Services, found: Sequence[Standing], now: datetime) -> Section:
    """Per stage, the branches waiting longest on a step of their own."""
    stuck = stuck_longest(found, services.campaign, now, limit=len(found))
    lines = []
    for stage in STAGES:
        waiting = [s for s in stuck if s.stage == stage][:STUCK_PER_STAGE]
        if waiting:
            named = ", ".join(f"{s.name} ({plural(days_since(s, now), 'day')})" for s in waiting)
            lines.append(f"{stage}, to {STEP_NAME[stage]}: {named}")
    return Section("Stuck longest", tuple(lines) or ("No branch has a step of its own waiting.",))


def _todo_section(services: Services, rows: Sequence[BranchFacts]) -> Section:
    """The organisers' own to-do: nominations whose branch has done its part."""
    waiting = to_verify(rows)
    zone = services.settings.zone
    lines = []
    for row in waiting[:LISTED]:
        assert row.form_sent_at is not None
        lines.append(f"{row.name}: form sent {short_day(row.form_sent_at.astimezone(zone).date())}")
    if len(waiting) > LISTED:
        lines.append(f"and {len(waiting) - LISTED} more (/pipeline)")
    buttons = tuple(
        Button(f"Verify {shorten(r.name, 60)}", "verify", {"branch": r.code})
        for r in waiting[:QUESTIONS]
    )
    return Section("To verify", tuple(lines) or ("Nothing waiting on organisers.",), buttons)


def _turnout_sections(
    turnout: Sequence[BranchTurnout], rows: Sequence[BranchFacts]
) -> list[Section]:
    """The ballot: volunteers who have voted and colleagues asked, overall, then by region
    and by group."""
    volunteers = sum(b.volunteers for b in turnout)
    voted = sum(b.voted for b in turnout)
    asked = sum(b.pledged for b in turnout)
    share = f" ({round(100 * voted / volunteers)}%)" if volunteers else ""
    overall = Section(
        "Turnout",
        (
            f"Volunteers who have voted: {voted} of {volunteers}{share}.",
            f"Colleagues they have asked to vote: {asked}.",
        ),
    )
    groups = {r.code: r.group for r in rows}
    out = [overall]
    for by in BY:
        lines = [_turnout_line(name, figures) for name, figures in _turnout_by(turnout, groups, by)]
        out.append(
            Section(
                f"Turnout by {by}",
                tuple(lines[:LISTED]) or ("No volunteers yet.",),
            )
        )
    return out


def _turnout_by(
    turnout: Sequence[BranchTurnout], groups: dict[str, str], by: By
) -> list[tuple[str, tuple[int, int, int]]]:
    if by == "region":
        return [
            (r.region or "no region", (r.volunteers, r.voted, r.pledged))
            for r in by_region(list(turnout))
        ]
    totals: dict[str, list[int]] = {}
    for b in turnout:
        row = totals.setdefault(groups.get(b.code) or "no group", [0, 0, 0])
        row[0] += b.volunteers
        row[1] += b.voted
        row[2] += b.pledged
    return [(name, (v[0], v[1], v[2])) for name, v in sorted(totals.items())]


def _turnout_line(name: str, figures: tuple[int, int, int]) -> str:
    volunteers, voted, asked = figures
    return f"{name}: {voted} of {plural(volunteers, 'volunteer')} voted, {asked} colleagues asked"


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
