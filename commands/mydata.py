"""/mydata: everything the bot holds about the caller."""

from __future__ import annotations

from datetime import datetime

from bot.campaign.dates import clock_time, day_name, plural, short_day
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import command


@command("mydata", "See everything the bot holds about you.")
async def mydata(invocation: Invocation, services: Services) -> Reply:
    held = await services.store.privacy.personal_data(invocation.user)
    if held is None:
        return Reply(text="I hold nothing about you.", ephemeral=True)
    zone = services.settings.zone

    def when(moment: datetime) -> str:
        local = moment.astimezone(zone)
        return f"{short_day(local.date())} {clock_time(local)}"

    person = held.person
    lines = [
        f"Who you are here: {person.display_name}, {person.platform} user id "
        f"{person.platform_user_id} (first seen {when(person.created_at)}).",
    ]
    volunteer = held.volunteer
    if volunteer:
        reminders = "off" if volunteer.opted_out else "on"
        if volunteer.snoozed_until:
            reminders += f", snoozed until {when(volunteer.snoozed_until)}"
        lines.append(
            f"Volunteer for {volunteer.branch_name} since {when(volunteer.signed_up_at)}; "
            f'you agreed at {when(volunteer.consent_at)} to: "{volunteer.consent_text}"'
        )
        lines.append(f"Reminders: {reminders}.")
        if volunteer.undeliverable_at:
            lines.append("I could not message you, so reminders have stopped.")
    for meeting in held.meetings:
        did = "cancelled" if meeting.cancelled else "reported"
        lines.append(
            f"You {did} {meeting.branch_code}'s meeting on "
            f"{day_name(meeting.meeting_date)} ({when(meeting.reported_at)})."
        )
    for report in held.reports:
        lines.append(
            f"You reported {report.branch_code}: {report.action} {report.outcome or ''}"
            f" ({when(report.at)}).".replace("  ", " ")
        )
    ballot = await services.store.ballot.status(invocation.user)
    if ballot is not None and (ballot.voted_at or ballot.pledged):
        said = (
            f"you said you voted ({when(ballot.voted_at)})"
            if ballot.voted_at
            else "no vote recorded"
        )
        lines.append(f"Ballot: {said}; colleagues you asked to vote: {ballot.pledged}.")
    if held.help_requests:
        lines.append(f"You asked for help {plural(held.help_requests, 'time')}.")
    if held.reminders:
        lines.append(f"Reminders sent to you: {held.reminders}.")
    if held.invitations:
        lines.append(
            f"Calendar invitations I gave you: {plural(held.invitations, 'meeting')}; "
            "I send you their changes."
        )
    if held.audit:
        lines.append(f"Organiser actions in the audit log: {held.audit}.")
    purge = services.campaign.purge_after
    if invocation.now >= purge:
        lines.append(
            "/forgetme erases all of it now; the campaign is over, so it is all deleted "
            "at the next sweep, within the hour."
        )
    else:
        lines.append(
            f"/forgetme erases all of it now; it is all deleted after {day_name(purge.date())}."
        )
    return Reply(text="\n".join(lines), title="Your data", ephemeral=True)
