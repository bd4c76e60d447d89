"""A meeting's changes reaching everyone who had its invitation.

When a branch's meeting is moved or cancelled, each person the bot gave an earlier
invitation to (see `bot.store.invitations`), other than whoever made the change, is due a
direct message with the new invitation: the same UID, the latest SEQUENCE (or the
METHOD:CANCEL). Only the latest change goes: two quick changes make one message.

They go out in the reminder sweep, by the process holding the reminders lease, with the
reminders' delivery record: keyed by (rule, person, UID and sequence), claimed, fenced
right before the platform call and finished after, so each goes exactly once. Like any
personal message they wait for the end of quiet hours. A meeting moved to a day already
past, or cancelled after its day, sends nothing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.campaign.dates import clock_time, day_name
from bot.campaign.records import Delivery, DeliveryClaim
from bot.runtime.messages import Attachment, Reply, Target
from bot.store.deliveries import Owner
from bot.store.invitations import DueUpdate
from bot.views.invitation import invitation
from schedules.sending import Sending, SweepReport, all_or_none, nonce_for

RULE = "meeting-update"
SENDABLE = ("pending", "sending")


def update_message(due: DueUpdate, deliverer: Sending) -> Reply:
    """The direct message carrying the meeting's latest invitation (or cancellation)."""
    meeting = due.meeting
    campaign = deliverer.services.campaign
    branch = deliverer.services.branches.get(meeting.branch_code)
    name = branch.name if branch is not None else meeting.branch_code
    made = invitation(meeting, name, campaign)
    on = day_name(meeting.meeting_date)
    if meeting.cancelled:
        text = (
            f"{name}'s meeting on {on} has been cancelled. The calendar cancellation is "
            "attached: open it to take the meeting out of your calendar."
        )
    else:
        at = clock_time(campaign.meeting.start_of(meeting))
        place = campaign.meeting.place_of(meeting)
        text = (
            f"{name}'s meeting has changed. It is now on {on} at {at}. Place: {place}.\n"
            "The updated invitation is attached: open it to update your calendar."
        )
    return Reply(
        text=text,
        attachment=Attachment(made.filename, made.content, made.mime),
        ephemeral=False,
    )


async def send_meeting_updates(
    deliverer: Sending,
    now: datetime,
    report: SweepReport,
    owner: Owner,
    fence_lost: asyncio.Event,
) -> None:
    """Send the meeting changes due now, each once, counted in `report`."""
    store = deliverer.services.store
    today = now.astimezone(deliverer.zone).date()
    ready: list[tuple[DueUpdate, datetime]] = []
    for due in await store.invitations.due():
        if due.platform not in deliverer.senders:
            continue  # another process serves that platform
        if due.meeting.meeting_date < today:  # nothing left to put in a calendar
            await store.invitations.settle(due.person_id, due.meeting.uid, due.meeting.sequence)
            continue
        at = deliverer.quiet.next_allowed(due.meeting.reported_at, deliverer.zone)
        if at <= now:
            ready.append((due, at))
    if not ready:
        return
    claims = await store.deliveries.claim(
        [
            DeliveryClaim(
                rule_id=RULE,
                recipient=due.recipient,
                occurrence=due.occurrence,
                audience="volunteer",
                platform=due.platform,
                person_id=due.person_id,
                branch_code=due.meeting.branch_code,
                due_at=at,
                nonce=nonce_for(RULE, due.recipient, due.occurrence),
            )
            for due, at in ready
        ],
        owner,
        now,
    )
    jobs = []
    for (due, _), claim in zip(ready, claims, strict=True):
        if claim.status not in SENDABLE:  # sent (or settled) already
            report.already += 1
            await store.invitations.settle(due.person_id, due.meeting.uid, due.meeting.sequence)
        elif claim.claimed_by != owner.name:
            report.held_elsewhere += 1
        else:
            jobs.append(_one(deliverer, due, claim, now, report, owner, fence_lost))
    await all_or_none(jobs)


async def _one(
    deliverer: Sending,
    due: DueUpdate,
    claim: Delivery,
    now: datetime,
    report: SweepReport,
    owner: Owner,
    fence_lost: asyncio.Event,
) -> None:
    def render() -> Reply:
        return update_message(due, deliverer)

    status = await deliverer.deliver_one(
        Target(due.platform, "user", due.user_id), render, claim, now, report, owner, fence_lost
    )
    if status is not None:  # sent, or it never can be: either way, settled
        await deliverer.services.store.invitations.settle(
            due.person_id, due.meeting.uid, due.meeting.sequence
        )
