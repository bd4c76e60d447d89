"""/branch: one branch's stage, history and next step."""

from __future__ import annotations

from bot.domain import Outcome
from bot.messages import Invocation, Reply
from bot.pipeline import NEXT_STEP, compliance, history_line, meeting_line, stage_of
from bot.services import Services
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
        return Reply(text=f"{chosen.name} is no longer on the branch list.", ephemeral=True)
    facts = rows[0]
    stage, _ = stage_of(facts, invocation.now.date())
    zone = services.settings.zone
    lines = [f"{chosen.name} ({chosen.group}, {chosen.region}): {stage}."]
    volunteers = facts.volunteers
    if volunteers:
        lines.append(f"Volunteers: {volunteers}.")
    events = []
    for meeting in await store.meetings.of_branch(chosen.code):
        who = (
            f" by {meeting.reported_by}" if invocation.is_organiser and meeting.reported_by else ""
        )
        when = meeting.reported_at.astimezone(zone)
        events.append(
            (
                when,
                f"{when:%a} {when.day} {when:%b}: "
                f"{meeting_line(meeting.meeting_date, meeting.notice_date)}"
                f" (reported{who})",
            )
        )
    for event in await store.nominations.history(chosen.code):
        events.append((event.at, history_line(event, zone, invocation.is_organiser)))
    if events:
        lines.append("History:")
        lines.extend(f"- {text}" for _, text in sorted(events, key=lambda e: e[0]))
    problems = compliance(facts, services.campaign)
    if problems:
        lines.append("Will it count? Not yet: " + "; ".join(problems) + ".")
    elif facts.outcome == Outcome.NOMINATED:
        lines.append("Will it count? Yes: every check passes.")
    lines.append(f"Next step: {NEXT_STEP[stage]}")
    return Reply(text="\n".join(lines), title=f"Branch: {chosen.name}", ephemeral=True)
