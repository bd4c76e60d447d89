"""/ballot: the ballot's dates, how to vote, a missing paper, and days left, from the pack.

Also "Not arrived" (a button on vote reminders), and the ballot lines of /progress:
volunteers who have voted and colleagues asked, by region and branch.
"""

from __future__ import annotations

from datetime import datetime

from bot.campaign.ballot import (
    BranchTurnout,
    ballot_period,
    by_region,
    papers_arrive,
    placeholders_text,
)
from bot.campaign.dates import clock_time, day_name, plural, short_day
from bot.campaign.pack import Campaign
from bot.runtime.messages import Button, Invocation, Reply
from bot.runtime.services import Services
from commands.spec import command

LISTED = 10  # branches named in /progress before "and N more"


def _when(campaign: Campaign, now: datetime) -> str:
    close = campaign.ballot_close
    closes = f"{clock_time(close)} on {day_name(close.date())}"
    period = ballot_period(campaign, now)
    if period == "before":
        opens = campaign.ballot_open.date()
        days = (opens - now.date()).days
        return f"The ballot opens on {day_name(opens)} (in {plural(days, 'day')}) and closes at {closes}."
    if period == "closed":
        return f"The ballot closed at {closes}."
    days = (close.date() - now.date()).days
    left = "It closes today" if days == 0 else f"{plural(days, 'day')} left: it closes"
    return f"The ballot is open. {left} at {closes}."


def missing_paper(campaign: Campaign) -> str:
    """What to do about a ballot paper that has not arrived, in the pack's words."""
    ballot = campaign.ballot
    if ballot is None:
        return campaign.fill("Tell the campaign at {email} straight away, with your branch.")
    return campaign.fill(ballot.missing_paper_text())


@command("ballot", "The ballot: dates, how to vote, a missing paper, and days left.")
async def ballot(invocation: Invocation, services: Services) -> Reply:
    campaign = services.campaign
    now = invocation.now
    facts = campaign.ballot
    lines = [_when(campaign, now)]
    if facts is not None:
        lines += [campaign.fill(f.text) for f in (facts.how_to_vote, facts.papers_arrive)]
        lines.append(campaign.fill(facts.last_post.text))
    lines.append(f"Paper not arrived? {missing_paper(campaign)}")
    status = await services.store.ballot.status(invocation.user)
    buttons: tuple[Button, ...] = ()
    if status is not None:
        said = "You've told me you voted" if status.voted else "You haven't told me you voted yet"
        lines.append(f"{said}; you've asked {plural(status.pledged, 'colleague')} to vote.")
        if ballot_period(campaign, now) == "open":
            voted = () if status.voted else (Button("Voted", "voted", {}, "primary"),)
            buttons = (*voted, Button("Pledge", "pledge"), Button("Not arrived", "notarrived"))
    if invocation.is_organiser and facts is not None and facts.placeholders:
        listed = "; ".join(f"{k}: {why}" for k, why in placeholders_text(facts).items())
        lines.append(f"For organisers, still to fill in {campaign.root.name}/ballot.yaml: {listed}")
    return Reply(text="\n".join(lines), title="The ballot", buttons=buttons)


@command("notarrived", "My ballot paper has not arrived.", hidden=True)
async def notarrived(invocation: Invocation, services: Services) -> Reply:
    campaign = services.campaign
    text = missing_paper(campaign)
    due = papers_arrive(campaign)
    if campaign.ballot is not None and invocation.now.date() < due:
        text = f"Papers should arrive by about {day_name(due)}, so yours may still be on its way. {text}"
    return Reply(text=text)


async def ballot_progress(services: Services, now: datetime) -> list[str]:
    """The ballot lines of /progress, once the ballot has opened: voted and pledged by
    region, then the busiest branches."""
    if ballot_period(services.campaign, now) == "before":
        return []
    branches = await services.store.ballot.turnout()
    voted = sum(b.voted for b in branches)
    volunteers = sum(b.volunteers for b in branches)
    pledged = sum(b.pledged for b in branches)
    lines = [
        f"Ballot ({short_day(now.date())}): volunteers who have voted: {voted} of {volunteers}; "
        f"colleagues they have asked to vote: {pledged}."
    ]
    regions = by_region(branches)
    if regions and (voted or pledged):
        lines.append(
            "By region: "
            + "; ".join(
                f"{r.region or 'no region'} {r.voted} voted, {r.pledged} asked" for r in regions
            )
            + "."
        )
        busiest = sorted((b for b in branches if b.voted or b.pledged), key=_busiest)
        shown = "; ".join(f"{b.name} {b.voted} voted, {b.pledged} asked" for b in busiest[:LISTED])
        more = (
            f" and {len(busiest) - LISTED} more (/export what:ballot)"
            if len(busiest) > LISTED
            else ""
        )
        lines.append(f"By branch: {shown}{more}.")
    return lines


def _busiest(branch: BranchTurnout) -> tuple[int, int, str]:
    return (-(branch.voted + branch.pledged), -branch.voted, branch.name)
