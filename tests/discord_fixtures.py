"""Fixtures for tests of real discord.py against the fake Discord API (`discord_api`):
settings that switch Discord on against it, and services built from them. Registered in
conftest.py beside the Slack ones (whose fake Web API is `fake`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import open_services
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
