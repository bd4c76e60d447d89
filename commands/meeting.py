"""/meeting: report that a branch has called its nomination meeting."""

from __future__ import annotations

from bot.campaign.branches import refuse_retired
from bot.campaign.dates import clock_time, day_name, short_day
from bot.campaign.domain import Outcome
from bot.errors import UserError
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.common import meeting_warnings
from commands.spec import Option, OptionType, command


@command(
    "meeting",
    "Report that your branch has called its nomination meeting.",
    Option("branch", "The branch (name or code)", OptionType.BRANCH, required=True),
    Option("date", "Date of the meeting, e.g. 30 Sep", OptionType.DATE, required=True),
    Option("notice", "Date notice went to members, if you know it", OptionType.DATE),
    form=True,
)
async def meeting(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    meeting_date = invocation.date("date")
    assert branch is not None and meeting_date is not None
    refuse_retired(services.branches, branch)
    notice = invocation.date("notice")
    campaign = services.campaign
    close = campaign.nominations_close
    if invocation.now >= close and meeting_date > close.astimezone(campaign.zone).date():
        raise UserError(
            f"Nominations closed at {clock_time(close)} on {day_name(close.date())}, so a "
            f"meeting on {short_day(meeting_date)} can't nominate. Nothing has been saved. "
            "What helps now is the ballot: /ballot has the dates and how to vote."
        )
    if notice is not None and notice > meeting_date:
        raise UserError("notice: the notice date is after the meeting. Nothing has been saved.")
    warnings = meeting_warnings(campaign, meeting_date, notice, invocation.now.date())
    result = await services.store.meetings.record(
        invocation.user, branch.code, meeting_date, notice, invocation.now
    )
    lines = [f"Thanks! Recorded: {branch.name} meeting on {day_name(meeting_date)}."]
    if result.previous is not None:
        lines.append(
            f"This replaces the earlier report of a meeting on "
            f"{short_day(result.previous.meeting_date)}."
        )
    lines.extend(warnings)
    lines.append(
        f"After the meeting, report the result with /nominate branch:{branch.code} "
        f"outcome:{'|'.join(str(o) for o in Outcome)}."
    )
    return Reply(text="\n".join(lines), ephemeral=True)
