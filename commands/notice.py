"""/notice: the notice of a branch's meeting, as plain text to paste into an email to
members, with the meeting's calendar invitation. /meeting offers it once a meeting is
recorded; /cancelmeeting sends the cancellation the same way."""

from __future__ import annotations

from bot.campaign.dates import clock_time, day_name
from bot.campaign.domain import Branch, Meeting
from bot.runtime.messages import Attachment, Button, Invocation, Reply
from bot.runtime.services import Services
from bot.views.invitation import invitation
from commands.spec import Option, OptionType, command


def invitation_attachment(meeting: Meeting, branch: Branch, services: Services) -> Attachment:
    """The meeting's invitation (or cancellation), as a file to attach to a reply."""
    made = invitation(meeting, branch.name, services.campaign)
    return Attachment(made.filename, made.content, made.mime)


async def invitation_for(
    invocation: Invocation, meeting: Meeting, branch: Branch, services: Services
) -> Attachment:
    """The invitation for the caller's reply, remembering that they have it: every
    later change of the meeting reaches them (see `schedules.meeting_updates`)."""
    await services.store.invitations.given(invocation.user, meeting, invocation.now)
    return invitation_attachment(meeting, branch, services)


def notice_button(branch: Branch) -> Button:
    return Button("Meeting notice", "notice", {"branch": branch.code})


def starts(meeting: Meeting, services: Services) -> str:
    """`Friday 25 October 2019 at 12:30pm`."""
    at = services.campaign.meeting.start_of(meeting)
    return f"{day_name(meeting.meeting_date)} at {clock_time(at)}"


def place(meeting: Meeting, services: Services) -> str:
    return services.campaign.meeting.place_of(meeting)


@command(
    "notice",
    "The notice of your branch's meeting, to send to members, and its calendar invitation.",
    Option("branch", "The branch (name or code)", OptionType.BRANCH, required=True),
)
async def notice(invocation: Invocation, services: Services) -> Reply:
    branch = invocation.branch()
    assert branch is not None
    meeting = await services.store.meetings.current(branch.code)
    if meeting is None:
        return Reply.error(
            f"There is no meeting on record for {branch.name}. Once it is called, report it "
            f"with /meeting branch:{branch.code} date:<date> and the notice is ready."
        )
    campaign = services.campaign
    pack = campaign.meeting
    filled = campaign.meeting_notice(
        branch.name,
        meeting.meeting_date,
        pack.start_of(meeting),
        pack.place_of(meeting),
    )
    today = invocation.now.astimezone(campaign.zone).date()
    held = meeting.meeting_date < today
    if held:
        first = f"{branch.name}'s meeting on {day_name(meeting.meeting_date)} has been held."
    elif meeting.notice_date is not None:
        first = (
            f"Notice was reported sent on {day_name(meeting.notice_date)}. Here it is again, "
            "for anyone who missed it."
        )
    elif filled.notice_by < today:
        first = (
            f"Notice had to go out by {day_name(filled.notice_by)} for "
            f"{campaign.rules.notice_days} days' notice. If it did not, a nomination made at "
            "this meeting may not count: a later date gives members the notice they need."
        )
    else:
        first = filled.send_by
    return Reply(
        text=f"{first}\n\n{filled.text}",
        attachment=None if held else await invitation_for(invocation, meeting, branch, services),
        ephemeral=True,
    )
