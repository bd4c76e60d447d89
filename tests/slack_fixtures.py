"""Fixtures for tests of the real bolt app: the fake Slack Web API (`fake`), settings that
switch Slack on against it, and services built from them. Registered in conftest.py beside
the Discord ones (whose fake API is `discord_api`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import open_services
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from tests import slack_harness as slack
from tests.fakes.slack_api import FakeSlack, fake_slack


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as running:
        yield running


@pytest.fixture
def slack_settings(db_path: Path, fake: FakeSlack) -> Settings:
    return slack.settings(db_path, fake)


@pytest.fixture
async def slack_services(slack_settings: Settings, clock: Clock) -> AsyncIterator[Services]:
    async with open_services(slack_settings, clock=clock) as built:
        yield built
