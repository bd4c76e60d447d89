"""Need help, from a reminder's button: the organisers hear who asked and for which branch."""

from __future__ import annotations

from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import Option, OptionType, command


@command(
    "needhelp",
    "Ask the campaign's organisers for help with your branch.",
    Option("branch", "The branch", OptionType.BRANCH),
    hidden=True,
)
async def needhelp(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    await services.store.people.ask_for_help(
        invocation.user, branch.code if branch else None, invocation.now
    )
    contact = services.campaign.info.contact.email
    where = f" with {branch.name}" if branch else ""
    return Reply(
        text=(
            f"Thanks: the organisers will get in touch to help{where}. "
            f"You can also email {contact}."
        )
    )
