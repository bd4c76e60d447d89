"""The live progress board's content: one neutral reply, rebuilt from the store each time.

A platform adapter posts it once in each channel that asked for it (/board-here) and then
edits that message in place (`bot.adapters.discord_board`).
"""

from __future__ import annotations

from datetime import datetime

from bot.campaign.dates import short_day
from bot.campaign.phases import phase_of
from bot.runtime.messages import Reply
from bot.runtime.services import Services
from bot.views.home import deadlines
from bot.views.pipeline import bar, counting, history_line, tally_line

LATEST = 5
MEETINGS = 5  # the soonest meetings with an interested count shown


async def _interest(services: Services, now: datetime) -> list[str]:
    """The coming meetings' interested counts on a platform's own events (Discord's),
    soonest first; nothing where no count is known."""
    events = services.events
    if events.label is None:
        return []
    today = now.astimezone(services.campaign.zone).date()
    lines: list[str] = []
    for meeting in await services.store.reports.meetings():  # soonest first
        if meeting.meeting_date < today or meeting.cancelled:
            continue
        if len(lines) == MEETINGS:
            break
        interest = await events.interest_line(meeting)
        if interest is None:
            continue
        name = meeting.branch_name or meeting.branch_code
        lines.append(f"- {name}, {short_day(meeting.meeting_date)}: {interest}")
    return ["", "Coming meetings:", *lines] if lines else []


async def board_reply(services: Services, now: datetime) -> Reply:
    campaign = services.campaign
    store = services.store
    need = campaign.rules.nomination_threshold
    count = counting(await store.branches.facts(), campaign, now)
    lines = [tally_line(count, need), bar(count.counted, need), ""]
    if phase_of(campaign, now) in ("ballot", "after"):  # the ballot's turnout, on top
        turnout = await store.ballot.turnout()
        voted, volunteers = sum(b.voted for b in turnout), sum(b.volunteers for b in turnout)
        asked = sum(b.pledged for b in turnout)
        lines += [
            f"Ballot: volunteers who have voted: {voted} of {volunteers}; colleagues they "
            f"have asked to vote: {asked}.",
            "",
        ]
    events = [e for e in await store.nominations.timeline() if e.action != "verify"]
    zone = services.settings.zone
    if events:
        lines.append("Latest reports:")
        for event in events[::-1][:LATEST]:  # newest first
            branch = services.branches.get(event.branch_code)
            name = branch.name if branch else event.branch_code
            lines.append(f"- {name}: {history_line(event, zone, organiser=False)}")
    else:
        lines.append("No reports yet.")
    lines.extend(await _interest(services, now))
    lines.append("")
    lines.extend(deadlines(services, now)[:2])
    return Reply(
        text="\n".join(lines),
        title=f"{campaign.candidate.name}: nominations",
        ephemeral=False,
    )
