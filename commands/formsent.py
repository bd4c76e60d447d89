"""/formsent: the branch's nomination form has gone in, signed by a named official."""

from __future__ import annotations

from datetime import datetime, time

from bot.campaign.dates import clock_time, day_name, short_day
from bot.campaign.domain import Outcome
from bot.errors import UserError
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from bot.views.pipeline import form_before_meeting, form_late, meeting_of
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
    Option("date", "When it was sent (default: today)", OptionType.DATE),
)
async def formsent(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    official = invocation.text("official")
    assert branch is not None and official is not None
    sent = invocation.now
    on = invocation.date("date")
    if on is not None:
        if on > invocation.now.date():
            raise UserError(f"{day_name(on)} has not come yet: report the form once it is sent.")
        if on < invocation.now.date():  # sent that day: counted as the start of it
            sent = datetime.combine(on, time.min, tzinfo=services.campaign.zone)
    rows = await services.store.branches.facts(branch.code)
    meeting = meeting_of(rows[0]) if rows and rows[0].outcome == Outcome.NOMINATED else None
    if meeting is not None and form_before_meeting(sent, meeting, services.campaign):
        raise UserError(
            f"The form records what {branch.name}'s meeting on {short_day(meeting)} decided, "
            "so it goes in on or after that day: report it once it has been sent. "
            "Nothing has been saved."
        )
    recorded = await services.store.nominations.form_sent(
        branch.code, official, invocation.user, invocation.now, sent
    )
    if recorded is None:
        raise UserError(
            f"{branch.name} has no nomination of {services.campaign.candidate.name} reported, "
            "so there is no form to record. Report the result first with /nominate."
        )
    close = services.campaign.nominations_close
    lines = [
        f"Thanks! Recorded: {branch.name}'s form sent on {day_name(sent.date())}, "
        f"signed by {official}."
    ]
    if form_late(sent, services.campaign):
        lines.append(
            f"Warning: that is after the deadline ({clock_time(close)} on "
            f"{day_name(close.date())}), so the nomination does not count."
        )
    return Reply(text="\n".join(lines), ephemeral=True)
