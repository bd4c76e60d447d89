"""The live progress board on Discord: an embed, edited in place (`live_boards`)."""

from __future__ import annotations

from typing import Protocol

import discord
from aiolimiter import AsyncLimiter

from bot.adapters.base import AdapterServices
from bot.adapters.discord_views import PLATFORM, render
from bot.adapters.live_boards import LiveBoards
from bot.runtime.messages import Reply
from bot.runtime.settings import Settings


class BoardHost(Protocol):
    """What the board uses of the adapter that runs it (`DiscordAdapter`)."""

    @property
    def services(self) -> AdapterServices: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def client(self) -> discord.Client: ...

    @property
    def limiter(self) -> AsyncLimiter: ...


class DiscordBoard(LiveBoards):
    platform = PLATFORM

    def __init__(self, adapter: BoardHost):
        super().__init__(adapter.services, adapter.settings.refresh_seconds)
        self.adapter = adapter

    async def post(self, channel_id: str, reply: Reply) -> str:
        channel = self.adapter.client.get_partial_messageable(int(channel_id))
        async with self.adapter.limiter:
            posted = await channel.send(**render(reply))
        return str(posted.id)

    async def edit(self, channel_id: str, message_id: str, reply: Reply) -> bool:
        channel = self.adapter.client.get_partial_messageable(int(channel_id))
        message = channel.get_partial_message(int(message_id))
        try:
            async with self.adapter.limiter:
                await message.edit(**render(reply))
        except discord.NotFound:
            return False
        return True
