"""/optin: turn reminders back on."""

from __future__ import annotations

from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import command


@command("optin", "Turn reminders back on.")
async def optin(invocation: Invocation, services: Services) -> Reply:
    changed = await services.store.people.set_opted_out(invocation.user, False, invocation.now)
    if not changed:
        return Reply(
            text="You're not signed up yet: use /volunteer branch:<your branch> first.",
            ephemeral=True,
        )
    return Reply(text="Reminders are back on. Thanks for your help!", ephemeral=True)
