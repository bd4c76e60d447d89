"""Snapshot: the store's rows turned into the state the planner plans from."""

from __future__ import annotations

from collections.abc import Iterable

from bot.store import Store
from schedules.plans import ChannelState, OrganiserState, PlanState


async def plan_state(store: Store, organisers: Iterable[str]) -> PlanState:
    """Volunteers, broadcast channels and organisers (`platform:user id`) as plan state."""
    volunteers, subscribed = await store.deliveries.plan_rows()
    channels = [ChannelState(c.platform, c.channel_id, c.subscribed_at) for c in subscribed]
    people = []
    for identity in organisers:
        platform, _, user_id = identity.partition(":")
        if user_id:
            people.append(OrganiserState(platform, user_id))
    return PlanState(volunteers, channels, people)
