"""/pledge: "I've asked n colleagues to vote". Counts add up per volunteer and per branch."""

from __future__ import annotations

from bot.campaign.ballot import ballot_period
from bot.campaign.dates import plural
from bot.runtime.messages import Button, Invocation, Reply
from bot.runtime.services import Services
from commands.spec import Option, OptionType, command

MOST = 50  # colleagues in one report: a slip of the keyboard should not swamp a branch
OFFERED = (1, 2, 3, 5, 10)


@command(
    "pledge",
    "Tell the bot how many colleagues you've asked to vote.",
    Option(
        "count",
        "How many colleagues you asked to vote",
        OptionType.INTEGER,
        min_value=1,
        max_value=MOST,
    ),
)
async def pledge(invocation: Invocation, services: Services) -> Reply:
    if ballot_period(services.campaign, invocation.now) == "closed":
        return Reply(text="The ballot has closed, so there is no one left to ask. Thank you!")
    count = invocation.integer("count")
    if count is None:
        return Reply(
            text=(
                "How many colleagues have you asked to vote? Pick a number, or type "
                f"/pledge count:<number> (up to {MOST} at a time)."
            ),
            buttons=tuple(Button(str(n), "pledge", {"count": str(n)}) for n in OFFERED),
        )
    status = await services.store.ballot.pledge(invocation.user, count, invocation.now)
    if status is None:
        return Reply(
            text=(
                "Thanks for asking colleagues to vote! To count it for your branch, sign up "
                "first with /volunteer branch:<your branch>, then /pledge again. Nothing has "
                "been saved."
            )
        )
    branch = services.branches.get(status.branch_code)
    where = branch.name if branch else status.branch_code
    return Reply(
        text=(
            f"Thanks! {plural(count, 'colleague')} added: {status.pledged} asked by you so "
            f"far, {status.branch_pledged} by volunteers in {where}."
        )
    )
