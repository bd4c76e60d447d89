"""/cancelmeeting: call off a branch's meeting; the reply carries the calendar
cancellation (the invitation's UID, the next sequence, METHOD:CANCEL).

Whoever reported the meeting (or changed it) can cancel it, and so can organisers (in
the audit log). A meeting whose day has passed is not cancelled: its result is reported with /nominate."""

from __future__ import annotations

from bot.campaign.dates import day_name
from bot.runtime.messages import Button, Invocation, Reply
from bot.runtime.services import Services
from commands.notice import invitation_attachment, starts
from commands.spec import Option, OptionType, command


@command(
    "cancelmeeting",
    "Cancel your branch's nomination meeting (whoever reported it, or an organiser).",
    Option("branch", "The branch (name or code)", OptionType.BRANCH, required=True),
    Option("confirm", "Cancel it?", OptionType.CHOICE, choices=("yes", "no")),
)
async def cancelmeeting(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    assert branch is not None
    meetings = services.store.meetings
    meeting = await meetings.current(branch.code)
    if meeting is None:
        return Reply.error(f"{branch.name} has no meeting on record to cancel.")
    today = invocation.now.astimezone(services.campaign.zone).date()
    if meeting.meeting_date < today:
        return Reply.error(
            f"{branch.name}'s meeting on {day_name(meeting.meeting_date)} has been held, so it "
            f"can't be cancelled. Report what happened with /nominate branch:{branch.code} "
            "(outcome:inquorate if it was not quorate)."
        )
    if not invocation.is_organiser and not await meetings.reported_by(invocation.user, meeting.uid):
        return Reply.error(
            f"Only whoever reported {branch.name}'s meeting, or an organiser, can cancel it. "
            "Nothing has changed."
        )
    confirm = invocation.text("confirm")
    if confirm == "no":
        return Reply(text=f"OK: {branch.name}'s meeting stays as it is.", ephemeral=True)
    if confirm != "yes":
        return Reply(
            text=(
                f"Cancel {branch.name}'s meeting on {starts(meeting, services)}? "
                "Everyone who had the invitation from me gets the calendar cancellation."
            ),
            buttons=(
                Button(
                    "Cancel the meeting",
                    "cancelmeeting",
                    {"branch": branch.code, "confirm": "yes"},
                    "danger",
                    words=("yes",),
                ),
                Button(
                    "Keep it",
                    "cancelmeeting",
                    {"branch": branch.code, "confirm": "no"},
                    words=("no",),
                ),
            ),
            prompt=True,
            ephemeral=True,
        )
    result = await meetings.cancel(invocation.user, branch.code, invocation.now, invited=True)
    if result is None:  # cancelled by someone else in the meantime
        return Reply.error(f"{branch.name} has no meeting on record to cancel.")
    if invocation.is_organiser:  # an organiser's say over a branch's meeting is logged
        await services.store.audit.record(
            invocation.user, "cancelmeeting", f"branch:{branch.code}", invocation.now
        )
    return Reply(
        text=(
            f"Cancelled: {branch.name}'s meeting on {day_name(result.meeting.meeting_date)}. "
            "This calendar cancellation takes it out of calendars. Everyone who had the "
            "invitation from me gets it; send it on to anyone else who had it. "
            f"When a new date is set, report it with /meeting branch:{branch.code}."
        ),
        attachment=invitation_attachment(result.meeting, branch, services),
        ephemeral=True,
    )
