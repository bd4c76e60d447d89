"""/voted: "I've voted". That person's vote reminders stop, and their branch's count grows."""

from __future__ import annotations

from bot.campaign.ballot import ballot_period
from bot.campaign.dates import clock_time, day_name
from bot.runtime.messages import Button, Invocation, Reply
from bot.runtime.services import Services
from commands.spec import Option, OptionType, command

KEPT = (
    "I keep a note that you voted, to stop your reminders and count votes by branch: "
    "/mydata shows it, /voted undo:true takes it back, /forgetme erases it."
)


@command(
    "voted",
    "Tell the bot you've voted in the ballot: your vote reminders stop.",
    Option("undo", "Take it back (pressed by mistake)", OptionType.BOOLEAN),
)
async def voted(invocation: Invocation, services: Services) -> Reply:
    campaign = services.campaign
    undo = invocation.flag("undo")
    period = ballot_period(campaign, invocation.now)
    if period == "before" and not undo:
        return Reply(
            text=(
                f"The ballot hasn't opened yet: papers are posted from "
                f"{day_name(campaign.ballot_open.date())}. Tell me with /voted once you've voted."
            )
        )
    if period == "closed" and not undo:
        close = campaign.ballot_close
        return Reply(
            text=(
                f"The ballot closed at {clock_time(close)} on {day_name(close.date())}. "
                "Thank you for voting!"
            )
        )
    status = await services.store.ballot.vote(invocation.user, invocation.now, voted=not undo)
    if status is None:
        if undo:
            return Reply(text="You're not signed up, so there was nothing to take back.")
        return Reply(
            text=(
                "Thank you for voting! You're not signed up, so I hold nothing about you and "
                "send you no reminders. To help get the vote out, sign up with "
                "/volunteer branch:<your branch>."
            )
        )
    branch = services.branches.get(status.branch_code)
    where = branch.name if branch else status.branch_code
    if undo:
        if status.already:
            return Reply(text="I had no vote recorded for you, so there was nothing to take back.")
        return Reply(text="Taken back: I'll remind you to vote until the ballot closes.")
    if status.already:
        return Reply(text=f"You'd already told me you voted: thank you! {KEPT}")
    short = campaign.candidate.short_name
    return Reply(
        text=(
            f"Thank you for voting! Your vote reminders have stopped. Volunteers in {where} "
            f"who have voted: {status.branch_voted}. Now ask colleagues to vote for {short} "
            f"too, and tell me how many with /pledge. {KEPT}"
        ),
        buttons=(Button("Pledge", "pledge", {}, "primary"),),
    )
