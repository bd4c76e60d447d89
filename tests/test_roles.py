"""Every organiser command, as a supporter and as an organiser, on every platform.

The refusal is the same words everywhere, nothing but the audit log changes, and the
refusal is in the audit log."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import Console
from bot.adapters.discord import DiscordAdapter
from bot.adapters.slack import SlackAdapter
from bot.app import open_services
from bot.campaign.records import AuditEntry
from bot.dispatch.dispatcher import Dispatcher
from bot.dispatch.steps import organiser_only_message
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from commands import registry
from tests import discord_harness, slack_harness
from tests.conftest import CAMPAIGN, sqlite_url
from tests.fakes.discord_api import fake_discord
from tests.fakes.slack_api import fake_slack

ORGANISER_COMMANDS = sorted(c.name for c in registry() if c.organiser_only)
SAMPLE = {
    "verify": {"branch": "DWP-LEEDS"},
    "answer": {"id": "1", "text": "An answer"},
    "pipeline": {"region": "Wales"},
}


def test_the_matrix_covers_every_organiser_command() -> None:
    assert set(ORGANISER_COMMANDS) == {
        "verify",
        "export",
        "pipeline",
        "audit",
        "questions",
        "answer",
        "broadcast",
        "broadcast-here",
        "board-here",
        "dashboard",
    }


async def refused(services: Services, name: str) -> list[AuditEntry]:
    return [
        e
        for e in await services.store.audit.latest(50)
        if e.action == "refused" and e.detail == f"/{name}"
    ]


@pytest.fixture
def role_settings(db_path: Path) -> Settings:
    return Settings(
        database_url=sqlite_url(db_path),
        campaign=CAMPAIGN,
        organisers=["console:olive", "slack:UORG", "discord:500000000000000009"],
        slack_bot_token="xoxb-roles",
        slack_signing_secret=slack_harness.SECRET,
        discord_token="roles-token",
        discord_organiser_role="Organiser",
    )


@pytest.fixture
async def role_services(role_settings: Settings, clock: Clock) -> AsyncIterator[Services]:
    async with open_services(role_settings, clock=clock) as built:
        yield built


@pytest.mark.parametrize("name", ORGANISER_COMMANDS)
async def test_console(role_services: Services, name: str) -> None:
    line = f"/{name} " + " ".join(f"{k}:{v}" for k, v in SAMPLE.get(name, {}).items())
    supporter = Console(Dispatcher(role_services), "sam")
    assert await supporter.handle(line) == organiser_only_message(name)
    assert len(await refused(role_services, name)) == 1
    organiser = Console(Dispatcher(role_services), "olive")  # named in the settings
    assert await organiser.handle(line) != organiser_only_message(name)


@pytest.mark.parametrize("name", ORGANISER_COMMANDS)
async def test_slack(role_services: Services, role_settings: Settings, name: str) -> None:
    async with fake_slack() as fake:
        settings = role_settings.model_copy(update={"slack_api_url": f"{fake.base_url}api/"})
        adapter = SlackAdapter(Dispatcher(role_services), settings)
        text = " ".join(f"{k}:{v}" for k, v in SAMPLE.get(name, {}).items())
        for user, tag in (("U-SUPPORTER", "s"), ("UORG", "o")):
            response = await slack_harness.command(
                adapter, name, text, user=user, response_url=fake.response_url(f"{tag}{name}")
            )
            assert response.status == 200
        (supporter,) = await fake.wait_for(f"response_url:s{name}")
        (organiser,) = await fake.wait_for(f"response_url:o{name}")
    assert supporter.body["text"] == organiser_only_message(name)
    assert organiser.body["text"] != organiser_only_message(name)
    assert len(await refused(role_services, name)) == 1


@pytest.mark.parametrize("name", ORGANISER_COMMANDS)
async def test_discord(
    role_services: Services,
    role_settings: Settings,
    name: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with fake_discord() as fake:
        settings = role_settings.model_copy(update={"discord_api_url": fake.base_url})
        adapter = DiscordAdapter(Dispatcher(role_services), settings, serve=True)
        await adapter.login()
        discord_harness.add_guild(adapter)
        options: dict[str, Any] = dict(SAMPLE.get(name, {}))
        if "id" in options:
            options["id"] = int(options["id"])
        by_role = discord_harness.member(
            "500000000000000008", "rita", roles=(discord_harness.ORGANISER_ROLE_ID,)
        )
        by_id = discord_harness.member("500000000000000009", "ida")
        supporter = discord_harness.member("500000000000000007", "sam")
        replies = []
        for member in (supporter, by_role, by_id):
            before = len(fake.calls_to("POST /interactions/{id}/{token}/callback"))
            discord_harness.dispatch(adapter, discord_harness.command(name, options, member))
            calls = await fake.wait_for("POST /interactions/{id}/{token}/callback", before + 1)
            body = calls[-1].json
            assert isinstance(body, dict)
            data = body["data"]
            replies.append(data.get("content") or data["embeds"][0]["description"])
        await adapter.client.close()
    assert replies[0] == organiser_only_message(name)
    assert replies[1] != organiser_only_message(name)
    assert replies[2] != organiser_only_message(name)
    assert len(await refused(role_services, name)) == 1
