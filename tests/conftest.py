"""Shared fixtures: a real SQLite file per test, the real campaign pack, a frozen clock."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.adapters.console import Console
from bot.app import open_services
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from tests.backends import SKIP_REASON, fresh_postgres, postgres_url, sqlite_file_url

pytest_plugins = ["tests.slack_fixtures", "tests.discord_fixtures"]

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = ROOT / "campaign"
LONDON = ZoneInfo("Europe/London")
SEPT_20 = datetime(2019, 9, 20, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read a developer's .env or platform credentials. The test suite's own
    switches (`MOBILISE_TEST_*`, such as the PostgreSQL opt-out) stay."""
    for name in list(os.environ):
        if name.startswith("MOBILISE_TEST_"):
            continue
        if name.startswith(("MOBILISE_", "SLACK_", "DISCORD_")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def sqlite_url(path: Path) -> str:
    return sqlite_file_url(path)


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The same test on a fresh SQLite file and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield sqlite_file_url(tmp_path / "store.db")
        return
    if postgres_url() is None:
        pytest.skip(SKIP_REASON)
    async with fresh_postgres() as url:
        yield url


def pytest_terminal_summary(terminalreporter: Any) -> None:
    passed = terminalreporter.stats.get("passed", [])
    ran = sum(1 for report in passed if "postgresql" in report.keywords)
    where = postgres_url() or "not available"
    terminalreporter.write_line(f"PostgreSQL cases run: {ran} (server: {where.split('@')[-1]})")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return Settings(database_url=sqlite_url(db_path), campaign=CAMPAIGN)


@pytest.fixture
def clock() -> Clock:
    return Clock(LONDON, start=SEPT_20, frozen=True)


@pytest.fixture
async def services(settings: Settings, clock: Clock) -> AsyncIterator[Services]:
    async with open_services(settings, clock=clock) as built:
        yield built


@pytest.fixture
def dispatcher(services: Services) -> Dispatcher:
    return Dispatcher(services)


@pytest.fixture
def alice(dispatcher: Dispatcher) -> Console:
    return Console(dispatcher, "alice")


@pytest.fixture
def bob(dispatcher: Dispatcher) -> Console:
    return Console(dispatcher, "bob")


@pytest.fixture
def organiser(dispatcher: Dispatcher) -> Console:
    return Console(dispatcher, "olive", organiser=True)


class Screen:
    """What a console prints, one write at a time (in place of the terminal)."""

    def __init__(self) -> None:
        self.writes: list[str] = []

    def write(self, text: str) -> None:
        self.writes.append(text)

    def flush(self) -> None:
        pass


def mobilise_command() -> list[str]:
    return [sys.executable, "-m", "bot.cli"]
