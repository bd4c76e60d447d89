"""/meeting: report that a branch has called its nomination meeting, or changed it.

The reply carries the meeting's calendar invitation and offers the notice to send to
members (/notice). Reporting the branch's meeting again with a new date, time or place
reschedules it: the invitation keeps its UID and takes the next sequence number, and the
notice check runs again."""

from __future__ import annotations

from bot.campaign.branches import refuse_retired
from bot.campaign.dates import clock_time, day_name, parse_clock, short_day
from bot.campaign.domain import Outcome
from bot.errors import UserError
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.common import meeting_warnings
from commands.notice import invitation_attachment, notice_button, place, starts
from commands.spec import Option, OptionType, command


@command(
    "meeting",
    "Report that your branch has called its nomination meeting (again to change it).",
    Option("branch", "The branch (name or code)", OptionType.BRANCH, required=True),
    Option("date", "Date of the meeting, e.g. 30 Sep", OptionType.DATE, required=True),
    Option("notice", "Date notice went to members, if you know it", OptionType.DATE),
    Option("time", "When it starts, e.g. 12:30 or 6pm", max_length=20, shape="time"),
    Option("place", "Where it is held", max_length=120),
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
    given = invocation.text("time")
    try:
        start = parse_clock(given) if given is not None else None
    except UserError as error:
        raise UserError(f"time: {error} Nothing has been saved.") from None
    if notice is None:
        # A new time or place on the same day: the notice already given still stands.
        current = await services.store.meetings.current(branch.code)
        if current is not None and current.meeting_date == meeting_date:
            notice = current.notice_date
    today = invocation.now.astimezone(campaign.zone).date()
    warnings = meeting_warnings(campaign, meeting_date, notice, today)
    pack = campaign.meeting
    to_come = meeting_date >= today
    result = await services.store.meetings.record(
        invocation.user,
        branch.code,
        meeting_date,
        notice,
        invocation.now,
        meeting_time=start,
        place=invocation.text("place"),
        defaults=(pack.start, pack.place),
        invited=to_come,  # the reply carries the invitation
    )
    recorded = result.meeting
    lines = [
        f"Thanks! Recorded: {branch.name} meeting on {starts(recorded, services)}. "
        f"Place: {place(recorded, services)}."
    ]
    if result.previous is not None:
        earlier = result.previous
        lines.append(
            f"This replaces the earlier report of a meeting on "
            f"{short_day(earlier.meeting_date)}"
            + (
                f" at {clock_time(earlier.meeting_time)}."
                if earlier.meeting_time is not None
                else "."
            )
        )
    lines.extend(warnings)
    if to_come and result.previous is None:
        lines.append(
            "Here is the calendar invitation: add it to your calendar, and send it to "
            "members with the notice."
        )
    elif to_come:
        lines.append(
            "This invitation updates the earlier one in calendars. Everyone who had it "
            "from me gets the update; send it on to anyone else who had it."
        )
    lines.append(
        f"After the meeting, report the result with /nominate branch:{branch.code} "
        f"outcome:{'|'.join(str(o) for o in Outcome)}."
    )
    return Reply(
        text="\n".join(lines),
        buttons=(notice_button(branch),) if to_come else (),
        attachment=invitation_attachment(recorded, branch, services) if to_come else None,
        ephemeral=True,
    )
