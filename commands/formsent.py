"""/formsent: the branch's nomination form has gone in, signed by a named official."""

from __future__ import annotations

from bot.dates import clock_time, day_name
from bot.errors import UserError
from bot.messages import Invocation, Reply
from bot.services import Services
from commands.spec import Option, OptionType, command


@command(
    "formsent",
    "Report that the branch's nomination form has been sent.",
    Option("branch", "The branch (name or code)", OptionType.BRANCH, required=True),
    Option(
        "official",
        "The branch official who signed it (was at the meeting)",
        required=True,
        max_length=120,
    ),
)
async def formsent(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    official = invocation.text("official")
    assert branch is not None and official is not None
    recorded = await services.store.nominations.form_sent(
        branch.code, official, invocation.user, invocation.now
    )
    if recorded is None:
        raise UserError(
            f"{branch.name} has no nomination of {services.campaign.candidate.name} reported, "
            "so there is no form to record. Report the result first with /nominate."
        )
    close = services.campaign.nominations_close
    lines = [f"Thanks! Recorded: {branch.name}'s form sent, signed by {official}."]
    if invocation.now > close:
        lines.append(
            f"Warning: that is after the deadline ({clock_time(close)} on "
            f"{day_name(close.date())}), so the nomination may not count."
        )
    return Reply(text="\n".join(lines), ephemeral=True)
