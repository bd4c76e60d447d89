"""/board-here: a live progress board in this channel, edited as reports arrive (organisers)."""

from __future__ import annotations

from bot.errors import UserError
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import Option, OptionType, Permission, command


@command(
    "board-here",
    "Keep a live progress board in this channel (off:true to remove it).",
    Option("off", "Stop updating the board in this channel", OptionType.BOOLEAN),
    permission=Permission.ORGANISER,
)
async def board_here(invocation: Invocation, services: Services) -> Reply:
    boards = services.store.boards
    platform = invocation.user.platform
    channel = invocation.channel.id
    if invocation.flag("off"):
        removed = await boards.remove(platform, channel)
        text = (
            "The board in this channel will no longer be updated."
            if removed
            else "There is no board in this channel."
        )
        return Reply(text=text, ephemeral=True)
    if invocation.channel.is_direct:
        raise UserError("Run /board-here in the channel that should show the board.")
    if not await boards.place(platform, channel, invocation.now):
        return Reply(text="This channel already has the board.", ephemeral=True)
    return Reply(
        text="The board will appear in this channel in a moment and update as reports arrive.",
        ephemeral=True,
    )
