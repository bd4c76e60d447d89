"""Done, from a reminder's button: report the step, with the command filled in."""

from __future__ import annotations

from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import Option, OptionType, command


@command(
    "done",
    "Tell the bot your branch has done its step.",
    Option("branch", "The branch", OptionType.BRANCH, required=True),
    hidden=True,
)
async def done(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    assert branch is not None
    meeting = await services.store.meetings.current(branch.code)
    if meeting is None:
        text = (
            f"Great! Tell me when {branch.name} meets: "
            f"/meeting branch:{branch.code} date:<date> notice:<date notice went out>"
        )
    else:
        text = (
            f"Great! Report {branch.name}'s result: "
            f"/nominate branch:{branch.code} outcome:nominated (or other, or none)"
        )
    return Reply(text=text)
