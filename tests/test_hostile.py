"""Hostile input, generated: no command's parser or handler can be made to crash, to
write when it refuses, or to send anything that pings people."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters import discord as discord_adapter
from bot.adapters import slack as slack_adapter
from bot.app import open_services
from bot.campaign.domain import User
from bot.dispatch.dispatcher import SORRY, Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.messages import Channel, Reply
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from commands import registry
from tests.conftest import CAMPAIGN, LONDON, SEPT_20, sqlite_url

EXAMPLES = 200
NASTY = [
    "'; DROP TABLE nominations; --",
    '" OR 1=1 --',
    "Robert'); DELETE FROM people;--",
    "@everyone",
    "@here",
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<@U0123>",
    "<@&123456>",
    "<#C123>",
    "@everyone <@&1> <!channel>",
    "‮evil",
    "\x00",
    "\x1b[31mred",
    "\r\n\t",
    "31 Septober",
    "2019-02-30",
    "0000-00-00",
    "99/99/9999",
    "32 Oct",
    "tomorrow",
    "branch:",
    'branch:"unterminated',
    "outcome:nominated outcome:none",
    'text:"',
    "::::",
    "/nominate",
    "1e309",
    "-1",
    "9" * 40,
    "NaN",
    "true",
    "yes",
    "DWP-LEEDS",
    "dwp leeds",
    "Leeds",
    "nominated",
    "other",
    "none",
    "inquorate",
    "Mark Serwotka",
    "ℌ𝔢𝔩𝔩𝔬",
    "🙂" * 30,
    "a" * 5000,
    "\u200b\u200b",
    "ｆｕｌｌｗｉｄｔｈ",
]
hostile = st.one_of(
    st.text(max_size=200),
    st.sampled_from(NASTY),
    st.text(alphabet=st.characters(max_codepoint=0x2FFFF), max_size=60),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["a", "é", "@everyone ", "<!channel>", "\x07"]),
        st.integers(min_value=100, max_value=3000),
    ),
    st.lists(st.sampled_from(NASTY), min_size=2, max_size=5).map(" ".join),
)
COMMANDS = registry().everything()


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, Services]]:
    folder: Path = tmp_path_factory.mktemp("hostile")
    loop = asyncio.new_event_loop()
    built = open_services(
        Settings(database_url=sqlite_url(folder / "hostile.db"), campaign=CAMPAIGN),
        clock=Clock(LONDON, start=SEPT_20, frozen=True),
    )
    services = loop.run_until_complete(built.__aenter__())
    try:
        yield loop, services
    finally:
        loop.run_until_complete(built.__aexit__(None, None, None))
        loop.close()


def never_pings(reply: Reply) -> None:
    text, blocks = slack_adapter.render(reply)
    sent = text + json.dumps(blocks, ensure_ascii=False)
    assert "<" not in sent, sent[:200]  # every < escaped: no <!channel>, <@U..>, <#C..>
    kwargs = discord_adapter.render(reply)
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}
    assert len(kwargs.get("content") or "") <= 2000


async def check(services: Services, name: str, raw: dict[str, Any], line: str) -> None:
    dispatcher = Dispatcher(services)
    user = User("console", "hostile", "Hostile <!channel>")
    channel = Channel("somewhere")
    for attempt in ("options", "line"):
        before = services.store.generation
        if attempt == "options":
            reply = await dispatcher.run(name, raw, user, channel, organiser=True)
        else:
            reply = await dispatcher.run_line(line, user, channel, organiser=True)
        assert isinstance(reply, Reply)
        assert reply.text != SORRY, (name, raw, line)  # nothing reached the catch-all
        if reply.is_error:
            assert services.store.generation == before, (name, raw, reply.text)
        never_pings(reply)


@pytest.mark.parametrize("name", [c.name for c in COMMANDS])
def test_no_crash_no_write_no_mention(
    world: tuple[asyncio.AbstractEventLoop, Services], name: str
) -> None:
    loop, services = world
    command = next(c for c in COMMANDS if c.name == name)
    names = [o.name for o in command.options]
    option_values = st.fixed_dictionaries({}, optional=dict.fromkeys(names, hostile))

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(raw=option_values, tail=hostile)
    def run(raw: dict[str, Any], tail: str) -> None:
        loop.run_until_complete(check(services, name, raw, f"/{name} {tail}"))

    run()


@settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(line=hostile)
def test_any_line_at_all(world: tuple[asyncio.AbstractEventLoop, Services], line: str) -> None:
    loop, services = world
    loop.run_until_complete(check(services, "ask", {"question": line}, line))
