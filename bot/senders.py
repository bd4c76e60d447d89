"""The platforms' senders for reminders, built from the settings' credentials.

A sender needs only the platform's REST API, not its event connection, so the process
that runs the schedule can send on every platform that has credentials.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.settings import Settings
from schedules.delivery import Sender


@asynccontextmanager
async def open_senders(settings: Settings) -> AsyncIterator[dict[str, Sender]]:
    senders: dict[str, Sender] = {}
    client = None
    if settings.has_slack:
        from bot.adapters.slack import SlackSender, slack_client

        senders["slack"] = SlackSender(slack_client(settings), settings.slack_send_rate)
    if settings.has_discord:
        import discord

        from bot.adapters.discord import NO_MENTIONS, DiscordSender

        assert settings.discord_token is not None
        if settings.discord_api_url:
            discord.http.Route.BASE = settings.discord_api_url.rstrip("/")
        client = discord.Client(intents=discord.Intents.none(), allowed_mentions=NO_MENTIONS)
        await client.login(settings.discord_token.get_secret_value())
        senders["discord"] = DiscordSender(client, settings.discord_send_rate)
    try:
        yield senders
    finally:
        if client is not None:
            await client.close()
