"""/cancel: the "No" to a question the bot asked; nothing is saved."""

from __future__ import annotations

from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import command


@command("cancel", "Say no to the question the bot just asked.", hidden=True)
async def cancel(invocation: Invocation, services: Services) -> Reply:
    return Reply(
        text="OK: nothing has been saved. Type the branch's name or code again, or /help.",
        ephemeral=True,
    )
