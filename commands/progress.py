"""/progress: where the campaign stands against the nomination threshold."""

from __future__ import annotations

from bot.campaign.ballot import ballot_period
from bot.campaign.dates import clock_time, day_name, plural
from bot.runtime.messages import Attachment, Invocation, Reply
from bot.runtime.services import Services
from bot.views.breakdown import BY, By, breakdown
from bot.views.chart import ballot_png, progress_png, stacked_png
from bot.views.pipeline import PENDING, counting, describe_pending, describe_waiting
from commands.ballot import ballot_progress
from commands.spec import Option, OptionType, command


@command(
    "progress",
    "See how many branches have nominated so far.",
    Option("share", "Post it in the channel for everyone", OptionType.BOOLEAN),
    Option("chart", "Attach a chart of nominations over time", OptionType.BOOLEAN),
    Option("by", "Regions or groups side by side", OptionType.CHOICE, choices=BY),
)
async def progress(invocation: Invocation, services: Services) -> Reply:
    campaign = services.campaign
    store = services.store
    by = invocation.text("by")
    if by is not None:
        return await progress_by(invocation, services, "region" if by == "region" else "group")
    tally = await store.nominations.tally()
    count = counting(await store.branches.facts(), campaign, invocation.now)
    need = campaign.threshold
    name = campaign.candidate.name
    lines = []
    if count.counted >= need:
        lines.append(
            f"{name}: {count.counted} branches count towards the {need} needed: threshold "
            f"reached ({count.counted_verified} verified)."
        )
    elif invocation.now >= campaign.nominations_close:
        lines.append(
            f"{name}: {count.counted} of the {need} branches needed counted "
            f"({count.counted_verified} verified). Nominations have closed, so no more "
            "meetings can count."
        )
    else:
        lines.append(
            f"{name}: {count.counted} of the {need} branches needed count so far "
            f"({count.counted_verified} verified). {need - count.counted} more to go."
        )
    if count.not_counted:
        lines.append(
            f"Reported but not counted yet: {plural(count.not_counted, 'branch', 'branches')} "
            f"({describe_waiting(count)})."
        )
    if count.pending:
        lines.append(PENDING.format(listed=describe_pending(count)))
    if tally.other:
        named = sorted(((n or "not named"), c) for n, c in tally.other_by_nominee.items())
        detail = ", ".join(f"{n} {c}" for n, c in named)
        lines.append(f"Other candidates: {plural(tally.other, 'branch', 'branches')} ({detail}).")
    else:
        lines.append("Other candidates: none reported yet.")
    if tally.no_nomination:
        quorate = f" ({tally.inquorate} not quorate)" if tally.inquorate else ""
        lines.append(
            f"No nomination: {plural(tally.no_nomination, 'branch', 'branches')}{quorate}."
        )
    lines.append(
        f"Meetings called: {plural(tally.branches_with_meeting, 'branch', 'branches')}, "
        f"{tally.meetings_awaiting_outcome} still to report a result."
    )
    close = campaign.nominations_close
    days = (close.date() - invocation.now.date()).days
    when = f"{clock_time(close)} {day_name(close.date())}"
    if invocation.now >= close:
        lines.append(f"Nominations closed at {when}.")
    elif days == 0:
        lines.append(f"Nominations close today at {clock_time(close)}.")
    else:
        lines.append(f"Nominations close in {plural(days, 'day')} ({when}).")
    lines += await ballot_progress(services, invocation.now)
    attachment = None
    if invocation.flag("chart"):
        png = progress_png(
            await store.nominations.timeline(),
            campaign,
            invocation.now,
            await store.branches.facts(),
        )
        if ballot_period(campaign, invocation.now) != "before":  # the ballot, below
            png = stacked_png(
                png, ballot_png(await store.ballot.turnout(), campaign, invocation.now)
            )
        attachment = Attachment(f"progress-{invocation.now:%Y-%m-%d}.png", png, "image/png")
    return Reply(
        text="\n".join(lines),
        title="Nomination progress",
        attachment=attachment,
        ephemeral=not invocation.flag("share"),
    )


async def progress_by(invocation: Invocation, services: Services, by: By) -> Reply:
    """Each region (or group) on one line: counted, nominated, meetings, volunteers."""
    areas = breakdown(await services.store.branches.facts(), services.campaign, by, invocation.now)
    need = services.campaign.rules.nomination_threshold
    counted = sum(a.counted for a in areas)
    lines = [f"{counted} of the {need} branches needed count so far. By {by}:"]
    lines += [f"- {area.line()}" for area in areas]
    return Reply(
        text="\n".join(lines),
        title=f"Nomination progress by {by}",
        ephemeral=not invocation.flag("share"),
    )
