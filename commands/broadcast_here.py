"""/broadcast-here: this channel gets the campaign's broadcasts (organisers)."""

from __future__ import annotations

from bot.errors import UserError
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import Option, OptionType, Permission, command


@command(
    "broadcast-here",
    "Send the campaign's broadcasts to this channel (off:true to stop).",
    Option("off", "Stop broadcasts to this channel", OptionType.BOOLEAN),
    permission=Permission.ORGANISER,
)
async def broadcast_here(invocation: Invocation, services: Services) -> Reply:
    if invocation.channel.is_direct and not invocation.flag("off"):
        raise UserError("Run /broadcast-here in the channel that should get the broadcasts.")
    on = not invocation.flag("off")
    changed = await services.store.deliveries.subscribe(
        invocation.user.platform, invocation.channel.id, invocation.user, invocation.now, on
    )
    if on:
        text = (
            "This channel will get the campaign's broadcasts."
            if changed
            else "This channel already gets the campaign's broadcasts."
        )
    else:
        text = (
            "Broadcasts to this channel are off."
            if changed
            else "This channel was not getting broadcasts."
        )
    return Reply(text=text, ephemeral=True)
