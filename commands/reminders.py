"""/reminders: the next messages planned for you (organisers: for everyone, summarised)."""

from __future__ import annotations

from datetime import timedelta

from bot.campaign.dates import clock_time, short_day
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import command
from schedules.deliver import summarise

DAYS_AHEAD = 7


@command("reminders", "See the next reminders planned for you.")
async def reminders(invocation: Invocation, services: Services) -> Reply:
    plan = await services.reminders.plan(
        invocation.now, invocation.now + timedelta(days=DAYS_AHEAD)
    )
    if invocation.is_organiser:
        lines = summarise(plan)
        heading = f"Planned in the next {DAYS_AHEAD} days:"
        if not lines:
            return Reply(text=f"Nothing is planned in the next {DAYS_AHEAD} days.")
        return Reply(text="\n".join([heading, *lines]), ephemeral=True)
    mine = [
        p for p in plan if p.platform == invocation.user.platform and p.target == invocation.user.id
    ]
    volunteer = await services.store.people.volunteer(invocation.user)
    if volunteer is None:
        return Reply(
            text="You're not signed up, so I won't send you reminders. /volunteer signs you up.",
            ephemeral=True,
        )
    if volunteer.opted_out:
        return Reply(text="Your reminders are off. /optin turns them back on.", ephemeral=True)
    if not mine:
        return Reply(text=f"No reminders for you in the next {DAYS_AHEAD} days.", ephemeral=True)
    zone = services.settings.zone
    lines = ["Your next reminders:"]
    for item in mine[:5]:
        at = item.at.astimezone(zone)
        lines.append(f"{short_day(at.date())} {clock_time(at)}: {item.rule.id.replace('-', ' ')}")
    return Reply(text="\n".join(lines), ephemeral=True)
