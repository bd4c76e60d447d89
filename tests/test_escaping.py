"""What people type is shown, never acted on: names, nominees and questions full of links,
mentions and markup, end to end through the real bolt app and the real discord.py against
their fake APIs (checking what the fakes received), and through the console.

`/progress share:true` is the public post where a disguised link would do most harm.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.console import Console, render
from bot.adapters.discord import DiscordAdapter
from bot.adapters.slack import SlackAdapter
from bot.app import open_services
from bot.campaign.domain import User
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.messages import Attachment, Button, Channel, Reply
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from tests import discord_harness as harness
from tests import slack_harness as slack
from tests.conftest import CAMPAIGN, sqlite_url
from tests.fakes.discord_api import FakeDiscord, fake_discord
from tests.fakes.slack_api import FakeSlack, fake_slack

NAME = "*Al* _i_ ~s~ <!channel> [x](https://evil.example)"
NOMINEE = "[verify here](https://evil.example) **Vote** <!subteam^S1> @everyone `x`"
QUESTION = (
    "# Zebra quokka? <@U123> <!here> `code` ~strike~ <https://evil.example|totally safe> "
    "[a](https://evil.example) [b](https://evil.example) @everyone"
)
ORGANISER = "UORG"


# --- Slack ----------------------------------------------------------------------------


@pytest.fixture
async def slack_fake() -> AsyncIterator[FakeSlack]:
    async with fake_slack() as running:
        yield running


@pytest.fixture
async def slack_adapter(
    db_path: Path, slack_fake: FakeSlack, clock: Clock
) -> AsyncIterator[SlackAdapter]:
    settings = Settings(
        database_url=sqlite_url(db_path),
        campaign=CAMPAIGN,
        organisers=[f"slack:{ORGANISER}"],
        slack_bot_token="xoxb-test-token",
        slack_signing_secret=slack.SECRET,
        slack_api_url=f"{slack_fake.base_url}api/",
    )
    async with open_services(settings, clock=clock) as services:
        yield SlackAdapter(Dispatcher(services), settings)


async def _slack(
    adapter: SlackAdapter, fake: FakeSlack, name: str, text: str, **who: str
) -> dict[str, Any]:
    tag = f"{name}-{time.monotonic_ns()}"
    response = await slack.command(adapter, name, text, response_url=fake.response_url(tag), **who)
    assert response.status == 200
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return call.body


def _text_objects(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("type") in ("plain_text", "mrkdwn") and "text" in value:
            yield value
        for child in value.values():
            yield from _text_objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _text_objects(child)


def _slack_shows_as_typed(body: dict[str, Any], *typed: str) -> None:
    sent = json.dumps(body, ensure_ascii=False)
    assert "<" not in sent and ">" not in sent, sent[:300]  # no link, mention or broadcast
    objects = list(_text_objects(body.get("blocks")))
    assert objects and all(o["type"] == "plain_text" for o in objects)  # no mrkdwn at all
    shown = "\n".join(o["text"] for o in objects)
    for text in typed:
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert escaped in body["text"], (escaped, body["text"])
        assert escaped in shown, (escaped, shown)


async def test_slack_shows_names_nominees_and_questions_as_typed(
    slack_adapter: SlackAdapter, slack_fake: FakeSlack
) -> None:
    signed_up = await _slack(
        slack_adapter, slack_fake, "volunteer", "branch:DWP-LEEDS consent:yes", user_name=NAME
    )
    _slack_shows_as_typed(signed_up, NAME)
    nominated = await _slack(
        slack_adapter,
        slack_fake,
        "nominate",
        f'branch:DWP-LEEDS outcome:other nominee:"{NOMINEE}"',
        user_name=NAME,
    )
    _slack_shows_as_typed(nominated, NOMINEE)
    shared = await _slack(slack_adapter, slack_fake, "progress", "share:true")
    assert shared["response_type"] == "in_channel"
    _slack_shows_as_typed(shared, NOMINEE)
    await _slack(slack_adapter, slack_fake, "ask", QUESTION, user_name=NAME)
    listed = await _slack(slack_adapter, slack_fake, "questions", "", user=ORGANISER)
    _slack_shows_as_typed(listed, QUESTION)


# --- Discord --------------------------------------------------------------------------

CALLBACK = "POST /interactions/{id}/{token}/callback"
HOSTILE = harness.member("500000000000000001", NAME)
OLIVE = harness.member("500000000000000002", "olive", roles=(harness.ORGANISER_ROLE_ID,))
_BARE_BRACKET = re.compile(r"(?<!\\)[\[\]]")


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    async with fake_discord() as running:
        yield running


@pytest.fixture
async def discord_services(
    db_path: Path, discord_fake: FakeDiscord, clock: Clock
) -> AsyncIterator[Services]:
    settings = Settings(
        database_url=sqlite_url(db_path),
        campaign=CAMPAIGN,
        discord_api_url=discord_fake.base_url,
        discord_token="test-token",
        discord_organiser_role="Organiser",
        discord_guild_ids=[int(harness.GUILD_ID)],
    )
    async with open_services(settings, clock=clock) as built:
        yield built


@pytest.fixture
async def discord_adapter(
    discord_services: Services, discord_fake: FakeDiscord
) -> AsyncIterator[DiscordAdapter]:
    settings = discord_services.settings
    built = DiscordAdapter(Dispatcher(discord_services), settings, serve=True)
    await built.login()
    harness.add_guild(built)
    yield built
    await built.client.close()


async def _discord(
    adapter: DiscordAdapter, fake: FakeDiscord, name: str, options: dict[str, Any], user: Any
) -> dict[str, Any]:
    before = len(fake.calls_to(CALLBACK))
    harness.dispatch(adapter, harness.command(name, options, user, True))
    calls = await fake.wait_for(CALLBACK, before + 1)
    body = calls[-1].json
    assert isinstance(body, dict)
    return body


def _discord_texts(data: dict[str, Any]) -> list[str]:
    texts = [str(data.get("content") or "")]
    for embed in data.get("embeds") or ():
        texts += [str(embed.get("title") or ""), str(embed.get("description") or "")]
        texts += [f"{f['name']}\n{f['value']}" for f in embed.get("fields") or ()]
    return [t for t in texts if t]


def _discord_shows_as_typed(body: dict[str, Any], *typed: str) -> None:
    data = body["data"]
    assert data["allowed_mentions"] == {"parse": []}
    texts = _discord_texts(data)
    assert texts
    for text in texts:
        assert not _BARE_BRACKET.search(text), text  # so no [text](url) link can form
        assert "@everyone" not in text and "@here" not in text, text
        assert "**" not in text.replace("\\*\\*", ""), text
        assert "`" not in text.replace("\\`", ""), text
        assert not re.search(r"(?m)^#", text), text
    joined = "\n".join(texts)
    for value in typed:
        # What is shown, once Discord has read the escapes, is what was typed.
        shown = re.sub(r"\\(.)", r"\1", joined).replace("@\u200b", "@")
        assert value in shown, (value, joined)


async def test_discord_shows_names_nominees_and_questions_as_typed(
    discord_adapter: DiscordAdapter, discord_fake: FakeDiscord
) -> None:
    signed_up = await _discord(
        discord_adapter,
        discord_fake,
        "volunteer",
        {"branch": "DWP-LEEDS", "consent": "yes"},
        HOSTILE,
    )
    _discord_shows_as_typed(signed_up, NAME)
    nominated = await _discord(
        discord_adapter,
        discord_fake,
        "nominate",
        {"branch": "DWP-LEEDS", "outcome": "other", "nominee": NOMINEE},
        HOSTILE,
    )
    _discord_shows_as_typed(nominated, NOMINEE)
    shared = await _discord(discord_adapter, discord_fake, "progress", {"share": True}, HOSTILE)
    assert not shared["data"].get("flags")  # public: the post this used to disguise a link in
    _discord_shows_as_typed(shared, NOMINEE)
    await _discord(discord_adapter, discord_fake, "ask", {"question": QUESTION}, HOSTILE)
    listed = await _discord(discord_adapter, discord_fake, "questions", {}, OLIVE)
    _discord_shows_as_typed(listed, QUESTION)


# --- the console ----------------------------------------------------------------------

TERMINAL_NAME = "al\x1b[2J\x1b]0;owned\x07\rice"
# A name from another platform reaches the console unchanged, in an organiser's export.
DISCORD_NAME = "Eve\x1b[8m hidden\x1b[0m\u202e"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


async def test_console_shows_no_escape_sequences(services: Services) -> None:
    dispatcher = Dispatcher(services)
    await dispatcher.run_line(
        "/volunteer branch:DWP-LEEDS consent:yes",
        User("discord", "500000000000000009", DISCORD_NAME),
        Channel("1"),
        False,
    )
    person = Console(dispatcher, TERMINAL_NAME)
    organiser = Console(dispatcher, "olive", organiser=True)
    shown = [
        await person.handle("/volunteer branch:DWP-LEEDS consent:yes"),
        await person.handle("/nominate branch:DWP-LEEDS outcome:other nominee:Jo\x1b[31mBloggs"),
        await person.handle("/progress"),
        await person.handle("zebra quokka \x1b[8mhidden\x1b[0m?"),
        await organiser.handle("/questions"),
        await organiser.handle("/export what:volunteers"),
    ]
    output = "\n".join(s or "" for s in shown)
    assert not _CONTROL.search(output), repr(output)
    assert "Thanks, alice!" in output
    assert "Eve hidden" in output


def test_console_render_removes_escapes_everywhere(tmp_path: Path) -> None:
    reply = Reply(
        text="a\x1b[31mb\x9b2Jc",
        fields=(("x\x1b]0;t\x07", "y\x07\r"),),
        source={"id": "s", "title": "\x1bcsource"},
        buttons=(Button("press\x1b[5m", "help"),),
        attachment=Attachment("x.csv", b"name\nM\x1b[2Jallory\n", "text/csv"),
    )
    shown = render(reply, tmp_path)
    assert not _CONTROL.search(shown), repr(shown)
    assert shown.splitlines() == [
        "abc",
        "x: y",
        "(Source: source)",
        "Reply with a number: 1) press",
        "name",
        "Mallory",
    ]
