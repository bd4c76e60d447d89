"""The live progress board on Discord: one embed per channel that asked for it
(/board-here), edited in place as reports arrive.

The message id is kept in the store, so after a restart the next change edits the same
message. Changes are debounced (`Settings.refresh_seconds`), and an edit is skipped when
the board would look the same, which keeps well inside Discord's per-channel limits. A
board message someone deleted is posted again.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

from bot.adapters.discord_views import PLATFORM, render
from bot.changes import Change, Debounced
from bot.store.boards import Board

if TYPE_CHECKING:
    from bot.adapters.discord import DiscordAdapter

log = logging.getLogger(__name__)


class DiscordBoard:
    def __init__(self, adapter: DiscordAdapter):
        self.adapter = adapter
        self.refresh = Debounced(
            self.update, adapter.settings.refresh_seconds, "discord-board-refresh"
        )
        self._shown: dict[str, str] = {}  # channel id -> what its board shows now

    def changed(self, change: Change) -> None:
        self.refresh.poke()

    async def update(self) -> None:
        """Bring every board up to date: edit its message, or post it the first time."""
        services = self.adapter.services
        boards = await services.boards(PLATFORM)
        if not boards:
            return
        reply = await services.board()
        shown = f"{reply.title}\n{reply.text}"
        for board in boards:
            if self._shown.get(board.channel_id) == shown and board.message_id:
                continue
            try:
                await self._show(board, reply_kwargs=render(reply))
            except discord.HTTPException as error:
                log.warning("could not update the board: %s %s", error.status, error.code)
                continue
            self._shown[board.channel_id] = shown

    async def _show(self, board: Board, reply_kwargs: dict[str, Any]) -> None:
        client = self.adapter.client
        channel = client.get_partial_messageable(int(board.channel_id))
        if board.message_id is not None:
            message = channel.get_partial_message(int(board.message_id))
            try:
                async with self.adapter.limiter:
                    await message.edit(**reply_kwargs)
                return
            except discord.NotFound:
                log.info("the board's message was deleted: posting it again")
        async with self.adapter.limiter:
            posted = await channel.send(**reply_kwargs)
        await self.adapter.services.board_posted(PLATFORM, board.channel_id, str(posted.id))

    async def close(self) -> None:
        await self.refresh.close()
