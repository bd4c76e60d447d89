"""Snapshot: the store's rows turned into the state the planner plans from."""

from __future__ import annotations

from collections.abc import Iterable

from bot.store import Store
from schedules.planner import ChannelState, OrganiserState, PlanState, VolunteerState


async def plan_state(store: Store, organisers: Iterable[str]) -> PlanState:
    """Volunteers, broadcast channels and organisers (`platform:user id`) as plan state."""
    volunteers = [
        VolunteerState(
            person_id=row.person_id,
            platform=row.platform,
            user_id=row.platform_user_id,
            name=row.display_name,
            branch_code=row.branch_code,
            branch_name=row.branch_name,
            signed_up_at=row.signed_up_at,
            opted_out=row.opted_out,
            snoozed_until=row.snoozed_until,
            undeliverable=row.undeliverable,
            meeting_date=row.meeting_date,
            has_outcome=row.outcome is not None,
        )
        for row in await store.deliveries.plan_rows()
    ]
    channels = [
        ChannelState(c.platform, c.channel_id, c.subscribed_at)
        for c in await store.deliveries.channels()
    ]
    people = []
    for identity in organisers:
        platform, _, user_id = identity.partition(":")
        if user_id:
            people.append(OrganiserState(platform, user_id))
    return PlanState(volunteers, channels, people)
