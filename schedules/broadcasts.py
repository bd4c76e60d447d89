"""Organisers' broadcasts (/broadcast) going out, each person's copy exactly once.

A confirmed broadcast is sent by the reminder sweep, by the process holding the
reminders lease, once its time has come and outside quiet hours. The sweep first moves
it from confirmed to sending in one compare-and-set write: a cancellation after that
finds it too late, and one before it means the sweep sends nothing. Its segment is
worked out then, from one read of every volunteer, and each person's message is a
delivery record keyed by (rule, person, broadcast number): claimed, fenced right before
the platform call and finished after, like a reminder. Once none is left unsettled it is
marked sent; one still unsettled after the catch-up window is closed all the same.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from bot.campaign.records import Delivery, DeliveryClaim, PlanVolunteer
from bot.runtime.messages import Reply, Target
from bot.store.broadcasts import RULE, BroadcastRecord
from bot.store.deliveries import Owner
from bot.views.segment import Segment, fill, reach
from schedules.sending import Sending, SweepReport, all_or_none, nonce_for

SENDABLE = ("pending", "sending")


def broadcast_message(text: str, volunteer: PlanVolunteer) -> Reply:
    """One person's copy: plain text, escaped by each platform like every reply."""
    return Reply(text=fill(text, volunteer), ephemeral=False)


async def send_broadcasts(
    deliverer: Sending,
    now: datetime,
    report: SweepReport,
    owner: Owner,
    fence_lost: asyncio.Event,
    catchup_seconds: float,
) -> None:
    """Send the confirmed broadcasts whose time has come, each person's copy once."""
    if deliverer.quiet.next_allowed(now, deliverer.zone) > now:
        return  # quiet hours: they wait for the morning
    store = deliverer.services.store
    for broadcast in await store.broadcasts.due(now):
        if fence_lost.is_set():
            return
        if broadcast.status == "confirmed" and not await store.broadcasts.start(broadcast.id):
            continue  # cancelled just now
        await _send_one(deliverer, broadcast, now, report, owner, fence_lost)
        if fence_lost.is_set():
            return
        left = await store.broadcasts.unfinished(broadcast.id)
        assert broadcast.go_at is not None
        late = (now - broadcast.go_at).total_seconds() > catchup_seconds
        if left == 0 or late:
            await store.broadcasts.finish(broadcast.id, now)


async def _send_one(
    deliverer: Sending,
    broadcast: BroadcastRecord,
    now: datetime,
    report: SweepReport,
    owner: Owner,
    fence_lost: asyncio.Event,
) -> None:
    services = deliverer.services
    segment = Segment.from_json(broadcast.segment)
    found = await reach(segment, services.store, services.campaign, now, count_others=False)
    people = [v for v in found.people if v.platform in deliverer.senders]
    if not people:
        return
    occurrence = str(broadcast.id)
    claims = await services.store.deliveries.claim(
        [
            DeliveryClaim(
                rule_id=RULE,
                recipient=f"person:{v.person_id}",
                occurrence=occurrence,
                audience="volunteer",
                platform=v.platform,
                person_id=v.person_id,
                branch_code=v.branch_code,
                due_at=now,
                nonce=nonce_for(RULE, f"person:{v.person_id}", occurrence),
            )
            for v in people
        ],
        owner,
        now,
    )
    jobs = []
    for volunteer, claim in zip(people, claims, strict=True):
        if claim.status not in SENDABLE:
            report.already += 1
        elif claim.claimed_by != owner.name:
            report.held_elsewhere += 1
        else:
            jobs.append(
                _one(deliverer, broadcast.text, volunteer, claim, now, report, owner, fence_lost)
            )
    await all_or_none(jobs)


async def _one(
    deliverer: Sending,
    text: str,
    volunteer: PlanVolunteer,
    claim: Delivery,
    now: datetime,
    report: SweepReport,
    owner: Owner,
    fence_lost: asyncio.Event,
) -> None:
    def render() -> Reply:
        return broadcast_message(text, volunteer)

    target = Target(volunteer.platform, "user", volunteer.user_id)
    status = await deliverer.deliver_one(target, render, claim, now, report, owner, fence_lost)
    if status == "undeliverable":
        await deliverer.services.store.people.mark_undeliverable(volunteer.person_id, now)
