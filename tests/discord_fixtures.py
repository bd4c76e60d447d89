"""Fixtures for tests of real discord.py against the fake Discord API (`discord_api`):
settings that switch Discord on against it, and services built from them. Registered in
conftest.py beside the Slack ones (whose fake Web API is `fake`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.discord import DiscordAdapter
from bot.app import open_services
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from tests import discord_harness as harness
from tests.fakes.discord_api import FakeDiscord, fake_discord


@pytest.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    async with fake_discord() as running:
        yield running


@pytest.fixture
def discord_settings(db_path: Path, discord_api: FakeDiscord) -> Settings:
    return harness.settings(db_path, discord_api)


@pytest.fixture
async def discord_services(discord_settings: Settings, clock: Clock) -> AsyncIterator[Services]:
    async with open_services(discord_settings, clock=clock) as built:
        yield built


@pytest.fixture
async def discord_adapter(
    discord_services: Services, discord_settings: Settings, discord_api: FakeDiscord
) -> AsyncIterator[DiscordAdapter]:
    """The Discord adapter serving people, logged in to the fake, with its guild."""
    built = DiscordAdapter(Dispatcher(discord_services), discord_settings, serve=True)
    await built.login()
    harness.add_guild(built)
    yield built
    await built.board.close()
    await built.client.close()
