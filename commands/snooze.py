"""Snooze, from a reminder's button: no reminders for two days."""

from __future__ import annotations

from datetime import timedelta

from bot.campaign.dates import day_name
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import command
from schedules.compose import SNOOZE_DAYS


@command("snooze", f"Pause your reminders for {SNOOZE_DAYS} days.", hidden=True)
async def snooze(invocation: Invocation, services: Services) -> Reply:
    until = invocation.now + timedelta(days=SNOOZE_DAYS)
    if not await services.store.people.snooze(invocation.user, until):
        return Reply(text="You're not signed up, so there are no reminders to snooze.")
    return Reply(text=f"Snoozed: no reminders until {day_name(until.date())}.")
