"""Snapshot: the store's rows turned into the state the planner plans from."""

from __future__ import annotations

from collections.abc import Iterable

from bot.store import Store
from schedules.planner import ChannelState, OrganiserState, PlanState, VolunteerState


async def plan_state(store: Store, organisers: Iterable[str]) -> PlanState:
    """Volunteers, broadcast channels and organisers (`platform:user id`) as plan state."""
    rows, subscribed = await store.deliveries.plan_rows()
    volunteers = [
        VolunteerState(
            person_id=v.person_id,
            platform=v.platform,
            user_id=v.platform_user_id,
            name=v.display_name,
            branch_code=v.branch_code,
            branch_name=v.branch_name,
            signed_up_at=v.signed_up_at,
            opted_out=v.opted_out,
            snoozed_until=v.snoozed_until,
            undeliverable=v.undeliverable_at is not None,
            meeting_date=row.meeting_date,
            has_outcome=row.outcome is not None,
            has_voted=row.voted,
        )
        for row in rows
        for v in (row.volunteer,)
    ]
    channels = [ChannelState(c.platform, c.channel_id, c.subscribed_at) for c in subscribed]
    people = []
    for identity in organisers:
        platform, _, user_id = identity.partition(":")
        if user_id:
            people.append(OrganiserState(platform, user_id))
    return PlanState(volunteers, channels, people)
