"""/optout: stop reminders."""

from __future__ import annotations

from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import command


@command("optout", "Stop reminders from the bot.")
async def optout(invocation: Invocation, services: Services) -> Reply:
    changed = await services.store.people.set_opted_out(invocation.user, True, invocation.now)
    if not changed:
        return Reply(text="You're not signed up, so I won't send you reminders.", ephemeral=True)
    return Reply(
        text="Done: no more reminders. /optin turns them back on; /forgetme erases you.",
        ephemeral=True,
    )
