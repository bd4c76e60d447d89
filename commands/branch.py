"""/branch: one branch's stage, history and next step."""

from __future__ import annotations

from bot.campaign.dates import day_name
from bot.campaign.domain import Outcome
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from bot.views.pipeline import (
    compliance,
    history_line,
    meeting_line,
    next_step,
    stage_of,
    will_it_count,
)
from commands.spec import Option, OptionType, command


@command(
    "branch",
    "See where a branch stands and what comes next.",
    Option("branch", "The branch (name or code)", OptionType.BRANCH, required=True),
)
async def branch(invocation: Invocation, services: Services) -> Reply:
    chosen = invocation.branch()
    assert chosen is not None
    store = services.store
    rows = await store.branches.facts(chosen.code)
    if not rows:
        return Reply(
            text=f"{chosen.name} was retired from the branch list, with no records of its own.",
            ephemeral=True,
        )
    facts = rows[0]
    stage, _ = stage_of(facts, invocation.now.date(), services.campaign.zone)
    zone = services.settings.zone
    lines = [f"{chosen.name} ({chosen.group}, {chosen.region}): {stage}."]
    if facts.retired:
        lines.append("Retired from the branch list: its records stay, and count as before.")
    volunteers = facts.volunteers
    if volunteers:
        lines.append(f"Volunteers: {volunteers}.")
    current = await store.meetings.current(chosen.code)
    if current is not None and current.meeting_date >= invocation.now.astimezone(zone).date():
        interest = await services.events.interest_line(current)
        if interest:  # shown only when the platform's event says
            lines.append(f"Meeting on {day_name(current.meeting_date)}: {interest}.")
    events = []
    for meeting in await store.meetings.of_branch(chosen.code):
        who = (
            f" by {meeting.reported_by}" if invocation.is_organiser and meeting.reported_by else ""
        )
        when = meeting.reported_at.astimezone(zone)
        what = (
            f"meeting on {day_name(meeting.meeting_date)} cancelled{who}"
            if meeting.cancelled
            else f"{meeting_line(meeting.meeting_date, meeting.notice_date)} (reported{who})"
        )
        events.append((when, f"{when:%a} {when.day} {when:%b}: {what}"))
    for event in await store.nominations.history(chosen.code):
        events.append((event.at, history_line(event, zone, invocation.is_organiser)))
    if events:
        lines.append("History:")
        lines.extend(f"- {text}" for _, text in sorted(events, key=lambda e: e[0]))
    verdict = will_it_count(
        compliance(facts, services.campaign, invocation.now),
        facts.outcome == Outcome.NOMINATED,
        services.campaign,
    )
    if verdict:
        lines.append(f"Will it count? {verdict}")
    lines.append(f"Next step: {next_step(stage, services.campaign, invocation.now)}")
    return Reply(text="\n".join(lines), title=f"Branch: {chosen.name}", ephemeral=True)
