"""Discord's scheduled events for branch meetings (`bot.runtime.meeting_events`), where a
server opts in (`MOBILISE_DISCORD_EVENTS`): external events, with the meeting's place,
start and end, made, edited and deleted through discord.py, and their interested count
read back. A 403 (no Create Events permission) becomes `EventsRefused`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import discord

from bot.adapters.discord_views import PLATFORM, _cut
from bot.runtime.meeting_events import EventHost, EventSpec, EventsRefused
from bot.runtime.messages import Reply, SendOutcome, Target
from bot.runtime.settings import Settings

NAME_LIMIT = 100  # Discord's limits for an event's name, location and description
PLACE_LIMIT = 100
DESCRIPTION_LIMIT = 1000


class EventsAdapter(Protocol):
    """What the events use of the adapter that hosts them (`DiscordAdapter`)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def client(self) -> discord.Client: ...

    async def send(self, target: Target, reply: Reply, key: str) -> SendOutcome: ...


class DiscordEvents(EventHost):
    platform = PLATFORM
    label = "on Discord"

    def __init__(self, adapter: EventsAdapter):
        self.adapter = adapter

    def places(self) -> Sequence[str]:
        """The servers the commands are synced to, else every server the bot is in."""
        ids = self.adapter.settings.discord_guild_ids or [g.id for g in self.adapter.client.guilds]
        return [str(i) for i in ids]

    async def _guild(self, where: str) -> discord.Guild:
        client = self.adapter.client
        return client.get_guild(int(where)) or await client.fetch_guild(int(where))

    async def create(self, where: str, spec: EventSpec) -> str:
        guild = await self._guild(where)
        try:
            event = await guild.create_scheduled_event(
                name=_cut(spec.name, NAME_LIMIT),
                start_time=spec.start,
                end_time=spec.end,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=_cut(spec.place, PLACE_LIMIT),
                description=_cut(spec.description, DESCRIPTION_LIMIT),
            )
        except discord.Forbidden as error:
            raise EventsRefused(f"{error.status} {error.code}") from None
        return str(event.id)

    async def edit(self, where: str, event_id: str, spec: EventSpec) -> bool:
        guild = await self._guild(where)
        try:
            event = await guild.fetch_scheduled_event(int(event_id), with_counts=False)
            await event.edit(
                name=_cut(spec.name, NAME_LIMIT),
                start_time=spec.start,
                end_time=spec.end,
                location=_cut(spec.place, PLACE_LIMIT),
                description=_cut(spec.description, DESCRIPTION_LIMIT),
            )
        except discord.NotFound:  # deleted on Discord: a new one is made
            return False
        except discord.Forbidden as error:
            raise EventsRefused(f"{error.status} {error.code}") from None
        return True

    async def delete(self, where: str, event_id: str) -> None:
        try:
            await self.adapter.client.http.delete_scheduled_event(int(where), int(event_id))
        except discord.NotFound:
            return
        except discord.Forbidden as error:
            raise EventsRefused(f"{error.status} {error.code}") from None

    async def interested(self, where: str, event_id: str) -> int | None:
        guild = await self._guild(where)
        try:
            event = await guild.fetch_scheduled_event(int(event_id), with_counts=True)
        except discord.NotFound:
            return None
        return event.user_count

    async def send(self, target: Target, reply: Reply, key: str) -> SendOutcome:
        return await self.adapter.send(target, reply, key)
