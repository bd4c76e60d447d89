"""Real discord.py interactions through the real command tree, against a local discord_api API."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest

from bot.adapters.discord import DiscordAdapter
from bot.adapters.discord_views import button_id, render, text_limit
from bot.campaign.domain import User
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.messages import Button, Reply
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from commands import registry
from tests import discord_harness as harness
from tests import reminder_state as states
from tests.conftest import CAMPAIGN, sqlite_url
from tests.fakes.discord_api import BOT_ID, FakeDiscord
from tests.store_rows import table_rows

CALLBACK = "POST /interactions/{id}/{token}/callback"
FOLLOWUP = "POST /webhooks/{app}/{token}"
ALICE = harness.member("500000000000000001", "alice")
OLIVE = harness.member("500000000000000002", "olive", roles=(harness.ORGANISER_ROLE_ID,))


@pytest.fixture
async def adapter(
    discord_services: Services, discord_settings: Settings, discord_api: FakeDiscord
) -> AsyncIterator[DiscordAdapter]:
    built = DiscordAdapter(Dispatcher(discord_services), discord_settings, serve=True)
    await built.login()  # logs in and syncs commands, at the fake
    harness.add_guild(built)
    yield built
    await built.board.close()
    await built.client.close()


async def invoke(
    adapter: DiscordAdapter,
    discord_api: FakeDiscord,
    name: str,
    options: dict[str, Any],
    user: dict[str, Any] = ALICE,
    guild: bool = True,
    follow: bool = True,
) -> dict[str, Any]:
    """The interaction's response; if it was deferred (and `follow`), the follow-up."""
    before = len(discord_api.calls_to(CALLBACK))
    followed = len(discord_api.calls_to(FOLLOWUP))
    harness.dispatch(adapter, harness.command(name, options, user, guild))
    calls = await discord_api.wait_for(CALLBACK, before + 1)
    body = calls[-1].json
    assert isinstance(body, dict)
    if follow and body["type"] == 5:  # a slow machine: deferred, and the reply is the follow-up
        follow_ups = await discord_api.wait_for(FOLLOWUP, followed + 1)
        data = follow_ups[-1].json
        assert isinstance(data, dict)
        return {"type": 4, "data": data}
    return body


def message_of(body: dict[str, Any]) -> str:
    data = body["data"]
    embeds = data.get("embeds") or []
    return data.get("content") or (embeds[0]["description"] if embeds else "")


async def test_commands_are_synced_to_the_guild(adapter: DiscordAdapter, discord_api: FakeDiscord) -> None:
    (synced,) = discord_api.calls_to(
        f"PUT /applications/900000000000000002/guilds/{harness.GUILD_ID}/commands"
    )
    assert isinstance(synced.json, list)
    assert [c["name"] for c in synced.json] == registry().names()
    assert_permissions_limits_and_contexts(synced.json, "32")


def assert_permissions_limits_and_contexts(
    payload: list[dict[str, Any]], shown_to: str | None
) -> None:
    """Organiser commands need `shown_to`; every option carries the limits the bot checks;
    `contexts` (not the deprecated dm_permission) says where a command may be used."""
    commands = registry()
    for entry in payload:
        declared = commands.get(entry["name"])
        assert declared is not None
        assert "dm_permission" not in entry
        assert entry["integration_types"] == [0]  # installed to a server
        if declared.organiser_only:
            assert entry["default_member_permissions"] == shown_to
            assert entry["contexts"] == [0]  # in a server, where roles are known
        else:
            assert entry["default_member_permissions"] is None
            assert entry["contexts"] == [0, 1]  # a server, or a DM with the bot
        for option in entry["options"]:
            spec = declared.option(option["name"])
            assert spec is not None
            if option["type"] == 3 and "choices" not in option:  # a string
                assert option["max_length"] == text_limit(spec)
            if option["type"] == 4:  # an integer
                assert (option["min_value"], option["max_value"]) == (
                    spec.min_value,
                    spec.max_value,
                )
                assert spec.min_value is not None and spec.max_value is not None
    by_name = {entry["name"]: entry for entry in payload}
    limits = {o["name"]: o.get("max_length") for o in by_name["nominate"]["options"]}
    assert limits == {"branch": 120, "outcome": None, "nominee": 120, "date": 40}
    assert {o["name"]: o.get("max_length") for o in by_name["ask"]["options"]} == {"question": 500}


CASES = {
    "help": ({}, "/nominate"),
    "home": ({}, "branches needed count so far"),
    "ask": ({"question": "when do nominations close?"}, "14 October 2019"),
    "volunteer": ({"branch": "DWP-LEEDS"}, "Do you agree?"),
    "meeting": (
        {"branch": "DWP-LEEDS", "date": "30 Sep", "notice": "16 Sep"},
        "Recorded: DWP Leeds meeting",
    ),
    "notice": ({"branch": "DWP-LEEDS"}, "There is no meeting on record for DWP Leeds"),
    "cancelmeeting": ({"branch": "DWP-LEEDS"}, "DWP Leeds has no meeting on record to cancel"),
    "nominate": ({"branch": "DWP-LEEDS", "outcome": "nominated"}, "Recorded: DWP Leeds nominated"),
    "progress": ({}, "of the 15 branches needed"),
    "ballot": ({}, "The ballot opens on Thursday 7 November 2019"),
    "voted": ({}, "papers are posted from Thursday 7 November 2019"),
    "pledge": ({}, "How many colleagues have you asked to vote?"),
    "optout": ({}, "not signed up"),
    "optin": ({}, "not signed up yet"),
    "forgetme": ({}, "nothing to erase"),
    "verify": ({"branch": "DWP-LEEDS"}, "Nothing has been reported for DWP Leeds"),
    "export": ({}, "as CSV"),
    "questions": ({}, "No unanswered questions"),
    "answer": ({"id": 1, "text": "hello"}, "There is no question #1"),
    "broadcast": ({}, "You see a preview before anything is sent."),
    "broadcast-here": ({}, "This channel will get the campaign's broadcasts."),
    "board-here": ({}, "The board will appear in this channel in a moment"),
    "reminders": ({}, "in the next 7 days"),
    "branch": ({"branch": "DWP-LEEDS"}, "DWP Leeds (DWP, Yorkshire & Humberside): no volunteer."),
    "formsent": ({"branch": "DWP-LEEDS", "official": "Jo"}, "DWP Leeds has no nomination"),
    "pipeline": ({}, "Pipeline: 38 branches."),
    "mydata": ({}, "I hold nothing about you."),
    "audit": ({}, "Nothing in the audit log yet."),
}


def test_every_command_has_a_case() -> None:
    assert set(CASES) == set(registry().names())


@pytest.mark.parametrize("name", sorted(CASES))
async def test_every_command_through_a_real_interaction(
    adapter: DiscordAdapter, discord_api: FakeDiscord, name: str
) -> None:
    options, expected = CASES[name]
    body = await invoke(adapter, discord_api, name, options, user=OLIVE)
    assert body["type"] == 4
    assert expected in message_of(body)
    assert body["data"]["flags"] & 64  # ephemeral: only the caller sees it
    assert body["data"]["allowed_mentions"] == {"parse": []}


async def test_export_attaches_the_csv(adapter: DiscordAdapter, discord_api: FakeDiscord) -> None:
    await invoke(adapter, discord_api, "nominate", {"branch": "DWP-LEEDS", "outcome": "nominated"})
    await invoke(adapter, discord_api, "export", {}, user=OLIVE)
    files = discord_api.calls_to(CALLBACK)[-1].files
    (content,) = files.values()
    assert b"DWP-LEEDS,DWP Leeds" in content


async def test_organiser_commands_refuse_supporters(
    adapter: DiscordAdapter, discord_api: FakeDiscord
) -> None:
    body = await invoke(adapter, discord_api, "export", {}, user=ALICE)
    assert message_of(body) == "Sorry, /export is for campaign organisers only."


async def test_shared_progress_is_public(adapter: DiscordAdapter, discord_api: FakeDiscord) -> None:
    body = await invoke(adapter, discord_api, "progress", {"share": True})
    assert not body["data"].get("flags", 0) & 64


async def test_slow_work_is_deferred_then_followed_up(
    adapter: DiscordAdapter, discord_api: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.adapters.discord as module

    monkeypatch.setattr(module, "ANSWER_WITHOUT_DEFER", 0.05)
    run = adapter.services.run

    async def slow_run(*args: Any, **kwargs: Any) -> Reply:
        await asyncio.sleep(0.3)  # a store under load, say
        return await run(*args, **kwargs)

    monkeypatch.setattr(adapter.services, "run", slow_run)
    body = await invoke(adapter, discord_api, "ask", {"question": "who runs the ballot?"}, follow=False)
    assert body["type"] == 5  # deferred, thinking
    (follow_up,) = await discord_api.wait_for(FOLLOWUP)
    assert isinstance(follow_up.json, dict)
    assert "Electoral Reform Services" in (
        follow_up.json.get("content") or json.dumps(follow_up.json.get("embeds"))
    )


async def test_branch_autocomplete_is_bounded_and_best_first(
    adapter: DiscordAdapter, discord_api: FakeDiscord
) -> None:
    harness.dispatch(
        adapter, harness.command("nominate", {"branch": "dwp leds"}, ALICE, focused="branch")
    )
    (call,) = await discord_api.wait_for(CALLBACK)
    assert isinstance(call.json, dict)
    assert call.json["type"] == 8
    choices = call.json["data"]["choices"]
    assert 0 < len(choices) <= 25
    assert choices[0] == {"name": "DWP Leeds", "value": "DWP-LEEDS"}
    harness.dispatch(adapter, harness.command("meeting", {"branch": "e"}, ALICE, focused="branch"))
    calls = await discord_api.wait_for(CALLBACK, 2)
    assert isinstance(calls[-1].json, dict)
    assert len(calls[-1].json["data"]["choices"]) == 25


async def test_the_nominate_form(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    body = await invoke(adapter, discord_api, "nominate", {})
    assert body["type"] == 9  # a modal
    modal = body["data"]
    assert modal["custom_id"] == "mobilise-form:nominate"
    fields = [row["components"][0]["custom_id"] for row in modal["components"]]
    assert fields == ["branch", "outcome", "nominee", "date"]

    harness.dispatch(
        adapter,
        harness.modal_submit(
            "mobilise-form:nominate", {"branch": "Atlantis", "outcome": "nominated"}, ALICE
        ),
    )
    calls = await discord_api.wait_for(CALLBACK, 2)
    assert isinstance(calls[-1].json, dict)
    assert calls[-1].json["data"]["flags"] & 64
    assert "I can't find a branch called 'Atlantis'" in message_of(calls[-1].json)
    assert await table_rows(discord_services.store, "nominations") == []

    await invoke(adapter, discord_api, "nominate", {})
    harness.dispatch(
        adapter,
        harness.modal_submit(
            "mobilise-form:nominate",
            {"branch": "dwp leeds", "outcome": "nominated", "date": "30 Sep"},
            ALICE,
        ),
    )
    calls = await discord_api.wait_for(CALLBACK, 4)
    assert isinstance(calls[-1].json, dict)
    assert "Recorded: DWP Leeds nominated Mark Serwotka" in message_of(calls[-1].json)
    nomination = await discord_services.store.nominations.current("DWP-LEEDS")
    assert nomination is not None and nomination.reported_by == "alice"
    assert nomination.platform == "discord"


async def test_buttons_reach_the_same_core(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    body = await invoke(adapter, discord_api, "volunteer", {"branch": "DWP-LEEDS"})
    row = body["data"]["components"][0]["components"]
    assert [b["label"] for b in row] == ["I agree", "No thanks"]
    harness.dispatch(adapter, harness.button(row[0]["custom_id"], ALICE))
    calls = await discord_api.wait_for(CALLBACK, 2)
    assert isinstance(calls[-1].json, dict)
    assert message_of(calls[-1].json).startswith("Thanks, alice! You're signed up")
    volunteer = await discord_services.store.people.volunteer(
        User("discord", "500000000000000001", "alice")
    )
    assert volunteer is not None and volunteer.branch_code == "DWP-LEEDS"


async def test_echoed_mentions_never_ping(adapter: DiscordAdapter, discord_api: FakeDiscord) -> None:
    body = await invoke(
        adapter,
        discord_api,
        "nominate",
        {
            "branch": "DWP-LEEDS",
            "outcome": "other",
            "nominee": "@everyone @here <@&800000000000000003> <@500000000000000002>",
        },
    )
    # Shown as typed: `<` escaped, each mention broken by a zero-width space.
    shown = "@\u200beveryone @\u200bhere \\<@\u200b&800000000000000003\\> \\<@\u200b500000000000000002\\>"
    assert shown in message_of(body)
    assert body["data"]["allowed_mentions"] == {"parse": []}


async def test_mentions_and_dms_are_answered(adapter: DiscordAdapter, discord_api: FakeDiscord) -> None:
    bot = {"id": BOT_ID, "username": "mobilise", "discriminator": "0", "avatar": None, "bot": True}
    state = adapter.client._connection
    state.parse_message_create(
        harness.message(  # type: ignore[arg-type]
            f"<@{BOT_ID}> when does the ballot open? @everyone", ALICE, guild=True, mentions=[bot]
        )
    )
    (sent,) = await discord_api.wait_for("POST /channels/{id}/messages")
    assert isinstance(sent.json, dict)
    text = sent.json.get("content") or sent.json["embeds"][0]["description"]
    assert "7 November 2019" in text
    assert sent.json["embeds"][0]["footer"]["text"].startswith("Source: Election timetable")
    assert sent.json["allowed_mentions"] == {"parse": [], "replied_user": False}
    assert "message_id" in sent.json["message_reference"]
    state.parse_message_create(
        harness.message(  # type: ignore[arg-type]
            "just chatting in a channel", ALICE, guild=True, mentions=[]
        )
    )
    await asyncio.sleep(0.2)
    assert len(discord_api.calls_to("POST /channels/{id}/messages")) == 1
    state.parse_message_create(
        harness.message(  # type: ignore[arg-type]
            "how many branches does he need", ALICE, guild=False, mentions=[]
        )
    )
    dm = (await discord_api.wait_for("POST /channels/{id}/messages", 2))[-1]
    assert isinstance(dm.json, dict)
    assert "15 branches" in (dm.json.get("content") or dm.json["embeds"][0]["description"])


async def test_429_is_honoured_and_sent_once(adapter: DiscordAdapter, discord_api: FakeDiscord) -> None:
    discord_api.rate_limit("POST /channels/{id}/messages", times=1, retry_after=0.8)
    channel = adapter.client.get_partial_messageable(int(harness.CHANNEL_ID))
    await channel.send(**render(Reply(text="hello <@&1> @everyone")))
    (limited,) = discord_api.calls_to("POST /channels/{id}/messages#429")
    (sent,) = discord_api.calls_to("POST /channels/{id}/messages")
    assert sent.at - limited.at >= 0.75
    assert isinstance(sent.json, dict)
    assert sent.json["allowed_mentions"] == {"parse": []}


def cli_payload(tmp_path: Path, **env: str) -> list[dict[str, Any]]:
    """What `mobilise discord-commands` prints, with these settings."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOBILISE_")}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "--db",
            sqlite_url(tmp_path / "d.db"),
            "--campaign",
            str(CAMPAIGN),
            "discord-commands",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**environment, **env},
        cwd=tmp_path,
    )
    payload = json.loads(result.stdout)
    assert isinstance(payload, list)
    return payload


def test_payload_lists_what_help_lists_for_an_organiser(tmp_path: Path) -> None:
    payload = cli_payload(tmp_path)
    assert_permissions_limits_and_contexts(payload, "32")  # Manage Server
    assert [c["name"] for c in payload] == [c.name for c in registry().visible_to(True)]
    nominate = next(c for c in payload if c["name"] == "nominate")
    options = {o["name"]: o for o in nominate["options"]}
    assert options["branch"]["autocomplete"] is True
    assert [c["value"] for c in options["outcome"]["choices"]] == [
        "nominated",
        "other",
        "none",
        "inquorate",
    ]
    answer = next(c for c in payload if c["name"] == "answer")
    assert {o["name"]: o["type"] for o in answer["options"]} == {
        "id": 4,
        "text": 3,
        "question": 3,
    }
    assert {o["name"]: o.get("required", False) for o in answer["options"]} == {
        "id": True,
        "text": True,
        "question": False,
    }


def test_who_sees_organiser_commands_is_a_setting(tmp_path: Path) -> None:
    administrators = cli_payload(tmp_path, MOBILISE_DISCORD_ORGANISER_PERMISSION="8")
    assert_permissions_limits_and_contexts(administrators, "8")
    everyone = cli_payload(tmp_path, MOBILISE_DISCORD_ORGANISER_PERMISSION="everyone")
    assert_permissions_limits_and_contexts(everyone, None)


def test_render_limits() -> None:
    long = render(Reply(text="x" * 5000))
    assert len(long["content"]) == 2000
    embed = render(Reply(text="y" * 5000, title="Progress", source={"id": "a", "title": "b"}))
    assert len(embed["embed"].description) == 4096
    with pytest.raises(ValueError, match="too long"):
        button_id(Button("x", "answer", {"text": "z" * 200}))


async def test_reminders_reach_discord_and_their_buttons_work(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    from datetime import timedelta

    await invoke(adapter, discord_api, "volunteer", {"branch": "DWP-LEEDS", "consent": "yes"})
    deliverer = await states.sending(discord_services, {"discord": adapter})
    report = await deliverer.sweep(discord_services.clock.now() + timedelta(seconds=30))
    assert report.sent == 1
    (opened,) = discord_api.calls_to("POST /users/@me/channels")
    assert opened.json == {"recipient_id": 500000000000000001}
    (sent,) = discord_api.calls_to("POST /channels/{id}/messages")
    assert isinstance(sent.json, dict)
    assert sent.json["content"].startswith("Thanks for volunteering for DWP Leeds, alice.")
    assert sent.json["enforce_nonce"] is True and len(sent.json["nonce"]) <= 25
    assert sent.json["allowed_mentions"] == {"parse": []}
    row = sent.json["components"][0]["components"]
    assert [b["label"] for b in row] == ["Done", "Snooze 2 days", "Need help"]
    for number, expected in (
        (0, "Great! Tell me when DWP Leeds meets"),
        (2, "Thanks: the organisers will get in touch"),
        (1, "Snoozed: no reminders until Sunday 22 September 2019."),
    ):
        before = len(discord_api.calls_to(CALLBACK))
        harness.dispatch(adapter, harness.button(row[number]["custom_id"], ALICE))
        calls = await discord_api.wait_for(CALLBACK, before + 1)
        assert isinstance(calls[-1].json, dict)
        assert message_of(calls[-1].json).startswith(expected)


async def test_an_interaction_delivered_twice_is_handled_once(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    payload = harness.command("nominate", {"branch": "DWP-LEEDS", "outcome": "nominated"}, ALICE)
    harness.dispatch(adapter, payload)
    harness.dispatch(adapter, payload)  # the same interaction id again
    await discord_api.wait_for(CALLBACK)
    await asyncio.sleep(0.5)
    assert len(discord_api.calls_to(CALLBACK)) == 1
    nomination = await discord_services.store.nominations.current("DWP-LEEDS")
    assert nomination is not None and nomination.report_count == 1


async def test_an_organisers_answer_reaches_the_discord_asker(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    discord_services.outbox.attach(adapter)
    await invoke(adapter, discord_api, "ask", {"question": "wat abot pensons on the moon"})
    (queued,) = await discord_services.store.questions.unanswered()
    body = await invoke(
        adapter, discord_api, "answer", {"id": queued.id, "text": "Nobody works on the moon."}, OLIVE
    )
    assert "Sent to 1 person who asked." in message_of(body)
    (opened,) = discord_api.calls_to("POST /users/@me/channels")
    assert opened.json == {"recipient_id": int(ALICE["user"]["id"])}
    sent = discord_api.calls_to("POST /channels/{id}/messages")
    assert any("Nobody works on the moon." in str(c.json) for c in sent)


def components_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in body["data"].get("components") or [] for c in row["components"]]


async def press_in_discord(
    adapter: DiscordAdapter, discord_api: FakeDiscord, custom_id: str, values: list[str] | None = None
) -> dict[str, Any]:
    before = len(discord_api.calls_to(CALLBACK))
    payload = harness.button(custom_id, ALICE)
    if values is not None:
        payload["data"] = {"custom_id": custom_id, "component_type": 3, "values": values}
    harness.dispatch(adapter, payload)
    calls = await discord_api.wait_for(CALLBACK, before + 1)
    body = calls[-1].json
    assert isinstance(body, dict)
    return body


async def test_an_ambiguous_branch_gives_buttons_and_a_press_completes_it(
    adapter: DiscordAdapter, discord_api: FakeDiscord, discord_services: Services
) -> None:
    asked = await invoke(adapter, discord_api, "volunteer", {"branch": "leeds", "consent": "yes"})
    assert "Which branch did you mean?" in message_of(asked)
    buttons = components_of(asked)
    assert [b["label"] for b in buttons] == ["DWP Leeds", "HMRC Leeds", "Interserve Cleaners Leeds"]
    done = await press_in_discord(adapter, discord_api, buttons[1]["custom_id"])
    assert "signed up for HMRC Leeds" in message_of(done)
    user = User("discord", ALICE["user"]["id"], "alice")
    volunteer = await discord_services.store.people.volunteer(user)
    assert volunteer is not None and volunteer.branch_code == "HMRC-LEEDS"


async def test_more_than_five_choices_are_a_select_menu(
    adapter: DiscordAdapter, discord_api: FakeDiscord
) -> None:
    codes = ["DWP-LEEDS", "DWP-SHEFF", "DWP-NEWC", "DWP-GLAS", "DWP-BELF", "DWP-CARD"]
    reply = Reply(
        text="Pick one",
        buttons=tuple(Button(code, "branch", {"branch": code}) for code in codes),
        prompt=True,
    )
    view = render(reply)["view"]
    (menu,) = view.children
    assert isinstance(menu, discord.ui.Select) and len(menu.options) == 6
    shown = await press_in_discord(adapter, discord_api, "mobilise-select", [menu.options[5].value])
    assert "DWP Cardiff & Vale" in message_of(shown)


async def test_a_broadcast_does_not_rescan_every_rate_limit_bucket(
    adapter: DiscordAdapter, monkeypatch: pytest.MonkeyPatch
) -> None:
    from discord.http import Ratelimit

    checked = 0
    is_inactive = Ratelimit.is_inactive

    def counted(self: Ratelimit) -> bool:
        nonlocal checked
        checked += 1
        return is_inactive(self)

    monkeypatch.setattr(Ratelimit, "is_inactive", counted)
    # A DM to each of 2,000 volunteers: a bucket per DM channel.
    for channel in range(2000):
        adapter.client.http.get_ratelimit(f"POST /channels/{channel}/messages")
    # One scan of the buckets, not one per new bucket (which would be about two million).
    assert checked <= 2000
