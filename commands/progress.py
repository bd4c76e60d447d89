"""/progress: where the campaign stands against the nomination threshold."""

from __future__ import annotations

from bot.dates import clock_time, day_name, plural
from bot.messages import Invocation, Reply
from bot.services import Services
from commands.spec import Option, OptionType, command


@command(
    "progress",
    "See how many branches have nominated so far.",
    Option("share", "Post it in the channel for everyone", OptionType.BOOLEAN),
)
async def progress(invocation: Invocation, services: Services) -> Reply:
    campaign = services.campaign
    tally = await services.store.tally()
    need = campaign.rules.nomination_threshold
    name = campaign.candidate.name
    lines = []
    if tally.nominated >= need:
        lines.append(
            f"{name}: {tally.nominated} branches, past the {need} needed "
            f"({tally.nominated_verified} verified)."
        )
    else:
        lines.append(
            f"{name}: {tally.nominated} of {need} branches needed "
            f"({tally.nominated_verified} verified). {need - tally.nominated} more to go."
        )
    if tally.other:
        named = sorted(((n or "not named"), count) for n, count in tally.other_by_nominee.items())
        detail = ", ".join(f"{n} {c}" for n, c in named)
        lines.append(f"Other candidates: {plural(tally.other, 'branch', 'branches')} ({detail}).")
    else:
        lines.append("Other candidates: none reported yet.")
    if tally.no_nomination:
        lines.append(f"No nomination: {plural(tally.no_nomination, 'branch', 'branches')}.")
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
    return Reply(
        text="\n".join(lines),
        title="Nomination progress",
        ephemeral=not invocation.flag("share"),
    )
