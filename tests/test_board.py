"""The live board: on Discord through real discord.py against the discord_api Discord API, on
Slack through the real bolt app against the discord_api Web API, and its content in the console."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from bot.adapters.console import render as console_render
from bot.adapters.discord import DiscordAdapter
from bot.adapters.slack import SlackAdapter
from bot.app import open_services
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from bot.store.boards import Board
from tests import discord_harness as harness
from tests import slack_harness as slack
from tests.fakes.discord_api import FakeDiscord
from tests.fakes.slack_api import FakeSlack

CALLBACK = "POST /interactions/{id}/{token}/callback"
POST = "POST /channels/{id}/messages"
EDIT = "PATCH /channels/{id}/messages/{message}"
ALICE = harness.member("500000000000000001", "alice")
OLIVE = harness.member("500000000000000002", "olive", roles=(harness.ORGANISER_ROLE_ID,))


async def start(services: Services, settings: Settings) -> DiscordAdapter:
    built = DiscordAdapter(Dispatcher(services), settings, serve=True)
    await built.login()
    harness.add_guild(built)
    return built


async def stop(adapter: DiscordAdapter) -> None:
    await adapter.board.close()
    await adapter.client.close()


@contextlib.asynccontextmanager
async def discord_bot(
    settings: Settings, clock: Clock
) -> AsyncIterator[tuple[Services, DiscordAdapter]]:
    """The bot's services and its Discord adapter, logged in to the fake, until the end."""
    async with open_services(settings, clock=clock) as services:
        adapter = await start(services, settings)
        try:
            yield services, adapter
        finally:
            await stop(adapter)


async def invoke(
    adapter: DiscordAdapter, discord_api: FakeDiscord, name: str, options: dict[str, Any], user: Any
) -> None:
    before = len(discord_api.calls_to(CALLBACK))
    harness.dispatch(adapter, harness.command(name, options, user))
    await discord_api.wait_for(CALLBACK, before + 1)


async def stored_board(
    services: Services, replacing: str | None = None, platform: str = "discord"
) -> Board:
    """The board, once its posted message's id (other than `replacing`) is stored, which
    follows the post."""

    async def stored() -> Board:
        while True:
            (board,) = await services.store.boards.all(platform)
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
    discord_settings: Settings, clock: Clock, discord_api: FakeDiscord
) -> None:
    async with discord_bot(discord_settings, clock) as (services, adapter):
        await invoke(adapter, discord_api, "board-here", {}, OLIVE)
        (posted,) = await discord_api.wait_for(POST, within=5.0)
        assert posted.path.endswith(f"/channels/{harness.CHANNEL_ID}/messages")
        first = embed(posted)
        assert first["title"] == "Mark Serwotka: nominations"
        assert "0 of the 15 branches needed count so far" in first["description"]
        assert "No reports yet." in first["description"]
        board = await stored_board(services)

        await invoke(
            adapter, discord_api, "nominate", {"branch": "DWP-LEEDS", "outcome": "nominated"}, ALICE
        )
        (edited,) = await discord_api.wait_for(EDIT, within=5.0)
        assert edited.path.endswith(
            f"/channels/{harness.CHANNEL_ID}/messages/{board.message_id}"
        )
        assert "DWP Leeds" in embed(edited)["description"]
        assert len(discord_api.calls_to(POST)) == 1  # one message, edited in place


async def test_after_a_restart_the_next_report_edits_the_stored_message(
    discord_settings: Settings, clock: Clock, discord_api: FakeDiscord
) -> None:
    async with discord_bot(discord_settings, clock) as (services, adapter):
        await invoke(adapter, discord_api, "board-here", {}, OLIVE)
        await discord_api.wait_for(POST, within=5.0)
        await stored_board(services)
    async with open_services(discord_settings, clock=clock) as services:  # the restart
        (board,) = await services.store.boards.all("discord")
        assert board.message_id is not None
        adapter = await start(services, discord_settings)
        try:
            await invoke(
                adapter, discord_api, "nominate", {"branch": "DWP-LEEDS", "outcome": "nominated"}, ALICE
            )
            (edited,) = await discord_api.wait_for(EDIT, within=5.0)
            assert edited.path.endswith(f"/messages/{board.message_id}")
            assert "DWP Leeds" in embed(edited)["description"]
            assert len(discord_api.calls_to(POST)) == 1
        finally:
            await stop(adapter)


async def test_a_deleted_board_message_is_posted_again(
    discord_settings: Settings, clock: Clock, discord_api: FakeDiscord
) -> None:
    async with discord_bot(discord_settings, clock) as (services, adapter):
        await invoke(adapter, discord_api, "board-here", {}, OLIVE)
        await discord_api.wait_for(POST, within=5.0)
        board = await stored_board(services)
        discord_api.deleted_messages.add(board.message_id)
        await invoke(
            adapter, discord_api, "nominate", {"branch": "DWP-LEEDS", "outcome": "nominated"}, ALICE
        )
        posts = await discord_api.wait_for(POST, count=2, within=5.0)
        assert "DWP Leeds" in embed(posts[1])["description"]
        await stored_board(services, replacing=board.message_id)  # the new message's id


async def test_board_here_is_for_organisers_and_channels(
    discord_settings: Settings, clock: Clock, discord_api: FakeDiscord
) -> None:
    async with discord_bot(discord_settings, clock) as (services, adapter):
        await invoke(adapter, discord_api, "board-here", {}, ALICE)
        refused = discord_api.calls_to(CALLBACK)[-1].json
        assert isinstance(refused, dict)
        assert "organisers only" in str(refused["data"].get("content"))
        assert await services.store.boards.all("discord") == []
        await invoke(adapter, discord_api, "board-here", {"off": True}, OLIVE)
        assert "There is no board" in str(discord_api.calls_to(CALLBACK)[-1].json)


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


# --- the same board on Slack, through the real bolt app ----------------------------------


async def slack_command(
    adapter: SlackAdapter, fake: FakeSlack, name: str, text: str, user: str
) -> str:
    tag = f"{name}-{time.monotonic_ns()}"
    await slack.command(adapter, name, text, user=user, response_url=fake.response_url(tag))
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return str(call.body["text"])


async def test_the_board_on_slack_is_updated_in_place_and_after_a_restart(
    slack_settings: Settings, clock: Clock, fake: FakeSlack
) -> None:
    async with open_services(slack_settings, clock=clock) as services:
        adapter = SlackAdapter(Dispatcher(services), slack_settings, mode="http")  # not started
        try:
            said = await slack_command(adapter, fake, "board-here", "", "UORG")
            assert said.startswith("The board will appear in this channel")
            (posted,) = await fake.wait_for("chat.postMessage", within=5.0)
            assert posted.body["channel"] == "C1"
            assert posted.body["blocks"][0]["text"]["text"] == "Mark Serwotka: nominations"
            board = await stored_board(services, platform="slack")
            await slack_command(
                adapter, fake, "nominate", "branch:DWP-LEEDS outcome:nominated", "U1"
            )
            (updated,) = await fake.wait_for("chat.update", within=5.0)
            assert (updated.body["channel"], updated.body["ts"]) == ("C1", board.message_id)
            assert "DWP Leeds" in updated.body["text"]
        finally:
            await adapter.board.close()
            await adapter.home.close()
    async with open_services(slack_settings, clock=clock) as services:  # the restart
        adapter = SlackAdapter(Dispatcher(services), slack_settings, mode="http")
        try:
            await slack_command(
                adapter, fake, "nominate", "branch:HMRC-LEEDS outcome:nominated", "U2"
            )
            updates = await fake.wait_for("chat.update", count=2, within=5.0)
            assert updates[1].body["ts"] == board.message_id
            assert "HMRC Leeds" in updates[1].body["text"]
            assert len(fake.calls_to("chat.postMessage")) == 1
        finally:
            await adapter.board.close()
            await adapter.home.close()


# --- /home on Discord: its buttons, one that needs more opening its form ----------------


async def test_home_on_discord_and_a_button_that_needs_a_date(
    discord_settings: Settings, clock: Clock, discord_api: FakeDiscord
) -> None:
    async with discord_bot(discord_settings, clock) as (services, adapter):
        await invoke(
            adapter, discord_api, "volunteer", {"branch": "DWP-LEEDS", "consent": "yes"}, ALICE
        )
        await invoke(adapter, discord_api, "home", {}, ALICE)
        body = discord_api.calls_to(CALLBACK)[-1].json
        assert isinstance(body, dict)
        (shown,) = body["data"]["embeds"]
        assert shown["title"] == "Your campaign: DWP Leeds"
        assert "DWP Leeds: volunteer signed up." in shown["description"]
        buttons = [c for row in body["data"]["components"] for c in row["components"]]
        assert [b["label"] for b in buttons] == ["Report the meeting", "Snooze", "Opt out"]

        before = len(discord_api.calls_to(CALLBACK))
        harness.dispatch(adapter, harness.button(buttons[0]["custom_id"], ALICE))
        calls = await discord_api.wait_for(CALLBACK, before + 1)
        form = calls[-1].json
        assert isinstance(form, dict) and form["type"] == 9  # a modal
        inputs = {
            row["components"][0]["custom_id"]: row["components"][0]
            for row in form["data"]["components"]
        }
        assert inputs["branch"]["value"] == "DWP-LEEDS"  # filled in from the button
        harness.dispatch(
            adapter,
            harness.modal_submit(
                "mobilise-form:meeting",
                {"branch": "DWP-LEEDS", "date": "30 Sep", "notice": "16 Sep"},
                ALICE,
            ),
        )
        done = await discord_api.wait_for(CALLBACK, before + 2)
        assert "Recorded: DWP Leeds meeting" in str(done[-1].json)
        facts = await services.store.branches.facts("DWP-LEEDS")
        assert facts[0].meeting_date == date(2019, 9, 30)


async def test_nothing_typed_pings_from_the_discord_board(
    discord_settings: Settings, clock: Clock, discord_api: FakeDiscord
) -> None:
    async with discord_bot(discord_settings, clock) as (services, adapter):
        await invoke(adapter, discord_api, "board-here", {}, OLIVE)
        await discord_api.wait_for(POST, within=5.0)
        await stored_board(services)
        await invoke(
            adapter,
            discord_api,
            "nominate",
            {"branch": "DWP-LEEDS", "outcome": "other", "nominee": "@everyone <@&1> **Bo**"},
            ALICE,
        )
        (edited,) = await discord_api.wait_for(EDIT, within=5.0)
        description = embed(edited)["description"]  # sent with mentions switched off
        assert "nominated @\u200beveryone \\<@&1\\> \\*\\*Bo\\*\\*" in description
