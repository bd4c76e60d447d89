"""The live Discord board through real discord.py against the fake Discord API, and the
board's content in the console."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import render as console_render
from bot.adapters.discord import DiscordAdapter
from bot.app import open_services
from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.services import Services
from bot.settings import Settings
from bot.store.boards import Board
from tests import discord_harness as harness
from tests.conftest import CAMPAIGN, sqlite_url
from tests.fakes.discord_api import FakeDiscord, fake_discord

CALLBACK = "POST /interactions/{id}/{token}/callback"
POST = "POST /channels/{id}/messages"
EDIT = "PATCH /channels/{id}/messages/{message}"
ALICE = harness.member("500000000000000001", "alice")
OLIVE = harness.member("500000000000000002", "olive", roles=(harness.ORGANISER_ROLE_ID,))


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with fake_discord() as running:
        yield running


@pytest.fixture
def discord_settings(db_path: Path, fake: FakeDiscord) -> Settings:
    return Settings(
        database_url=sqlite_url(db_path),
        campaign=CAMPAIGN,
        discord_api_url=fake.base_url,
        discord_token="test-token",
        discord_organiser_role="Organiser",
        discord_guild_ids=[int(harness.GUILD_ID)],
    )


async def start(services: Services, settings: Settings) -> DiscordAdapter:
    built = DiscordAdapter(Dispatcher(services), settings, serve=True)
    await built.login()
    harness.add_guild(built)
    return built


async def stop(adapter: DiscordAdapter) -> None:
    await adapter.board.close()
    await adapter.client.close()


async def invoke(
    adapter: DiscordAdapter, fake: FakeDiscord, name: str, options: dict[str, Any], user: Any
) -> None:
    before = len(fake.calls_to(CALLBACK))
    harness.dispatch(adapter, harness.command(name, options, user))
    await fake.wait_for(CALLBACK, before + 1)


async def stored_board(services: Services, replacing: str | None = None) -> Board:
    """The board, once its posted message's id (other than `replacing`) is stored, which
    follows the post."""

    async def stored() -> Board:
        while True:
            (board,) = await services.store.boards.all("discord")
            if board.message_id not in (None, replacing):
                return board
            await asyncio.sleep(0.05)

    return await asyncio.wait_for(stored(), 5.0)


def embed(call: Any) -> dict[str, Any]:
    body = call.json
    assert isinstance(body, dict)
    (shown,) = body["embeds"]
    assert body["allowed_mentions"] == {"parse": []}
    return dict(shown)


async def test_board_here_posts_one_message_and_a_report_edits_it(
    discord_settings: Settings, clock: Clock, fake: FakeDiscord
) -> None:
    async with open_services(discord_settings, clock=clock) as services:
        adapter = await start(services, discord_settings)
        try:
            await invoke(adapter, fake, "board-here", {}, OLIVE)
            (posted,) = await fake.wait_for(POST, within=5.0)
            assert posted.path.endswith(f"/channels/{harness.CHANNEL_ID}/messages")
            first = embed(posted)
            assert first["title"] == "Mark Serwotka: nominations"
            assert "0 of the 15 branches needed count so far" in first["description"]
            assert "No reports yet." in first["description"]
            board = await stored_board(services)

            await invoke(
                adapter, fake, "nominate", {"branch": "DWP-LEEDS", "outcome": "nominated"}, ALICE
            )
            (edited,) = await fake.wait_for(EDIT, within=5.0)
            assert edited.path.endswith(
                f"/channels/{harness.CHANNEL_ID}/messages/{board.message_id}"
            )
            assert "DWP Leeds" in embed(edited)["description"]
            assert len(fake.calls_to(POST)) == 1  # one message, edited in place
        finally:
            await stop(adapter)


async def test_after_a_restart_the_next_report_edits_the_stored_message(
    discord_settings: Settings, clock: Clock, fake: FakeDiscord
) -> None:
    async with open_services(discord_settings, clock=clock) as services:
        adapter = await start(services, discord_settings)
        try:
            await invoke(adapter, fake, "board-here", {}, OLIVE)
            await fake.wait_for(POST, within=5.0)
            await stored_board(services)
        finally:
            await stop(adapter)
    async with open_services(discord_settings, clock=clock) as services:  # the restart
        (board,) = await services.store.boards.all("discord")
        assert board.message_id is not None
        adapter = await start(services, discord_settings)
        try:
            await invoke(
                adapter, fake, "nominate", {"branch": "DWP-LEEDS", "outcome": "nominated"}, ALICE
            )
            (edited,) = await fake.wait_for(EDIT, within=5.0)
            assert edited.path.endswith(f"/messages/{board.message_id}")
            assert "DWP Leeds" in embed(edited)["description"]
            assert len(fake.calls_to(POST)) == 1
        finally:
            await stop(adapter)


async def test_a_deleted_board_message_is_posted_again(
    discord_settings: Settings, clock: Clock, fake: FakeDiscord
) -> None:
    async with open_services(discord_settings, clock=clock) as services:
        adapter = await start(services, discord_settings)
        try:
            await invoke(adapter, fake, "board-here", {}, OLIVE)
            await fake.wait_for(POST, within=5.0)
            board = await stored_board(services)
            fake.deleted_messages.add(board.message_id)
            await invoke(
                adapter, fake, "nominate", {"branch": "DWP-LEEDS", "outcome": "nominated"}, ALICE
            )
            posts = await fake.wait_for(POST, count=2, within=5.0)
            assert "DWP Leeds" in embed(posts[1])["description"]
            await stored_board(services, replacing=board.message_id)  # the new message's id
        finally:
            await stop(adapter)


async def test_board_here_is_for_organisers_and_channels(
    discord_settings: Settings, clock: Clock, fake: FakeDiscord
) -> None:
    async with open_services(discord_settings, clock=clock) as services:
        adapter = await start(services, discord_settings)
        try:
            await invoke(adapter, fake, "board-here", {}, ALICE)
            refused = fake.calls_to(CALLBACK)[-1].json
            assert isinstance(refused, dict)
            assert "organisers only" in str(refused["data"].get("content"))
            assert await services.store.boards.all("discord") == []
            await invoke(adapter, fake, "board-here", {"off": True}, OLIVE)
            assert "There is no board" in str(fake.calls_to(CALLBACK)[-1].json)
        finally:
            await stop(adapter)


async def test_the_board_in_the_console(services: Services, alice: Any) -> None:
    dispatcher = Dispatcher(services)
    empty = console_render(await dispatcher.board())
    assert "0 of the 15 branches needed count so far (0 reported, 0 verified)." in empty
    assert "No reports yet." in empty
    await alice.handle("/nominate branch:DWP-LEEDS outcome:nominated")
    await alice.handle("/nominate branch:HMRC-LEEDS outcome:other nominee:Someone Else")
    shown = console_render(await dispatcher.board())
    assert "(1 reported, 0 verified)" in shown
    lines = shown.splitlines()
    latest = lines.index("Latest reports:")
    assert lines[latest + 1].startswith("- HMRC Leeds: Fri 20 Sep: nominated Someone Else")
    assert lines[latest + 2].startswith("- DWP Leeds: Fri 20 Sep: nominated us")
    assert "Nominations close: in 24 days (Monday 14 October 2019)" in shown
