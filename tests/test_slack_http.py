"""The Slack endpoint's own rules, in process: descriptors for the connection cap, bodies
that arrive too slowly or too large, and signed bodies of every shape (generated), none
of which may get a 500."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack_checks import Malformed, check_body
from bot.adapters.slack_http import FD_RESERVE, Limits, SlackEndpoint, descriptor_plan
from bot.app import open_services
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.settings import Settings
from tests import slack_harness as slack
from tests.conftest import CAMPAIGN, LONDON, SEPT_20, sqlite_url
from tests.fakes.slack_api import fake_slack

FORM = "application/x-www-form-urlencoded"


@pytest.mark.parametrize(
    ("soft", "hard", "cap", "expected"),
    [
        (1024, 4096, 2048, (2048 + FD_RESERVE, 2048)),  # raised to fit
        (1024, 1024, 2048, (1024, 1024 - FD_RESERVE)),  # cannot be raised: the cap shrinks
        (1024, -1, 2048, (2048 + FD_RESERVE, 2048)),  # no hard limit
        (65536, 65536, 2048, (65536, 2048)),  # already enough: left alone
        (-1, -1, 2048, (-1, 2048)),
        (100, 200, 2048, (200, 1)),  # absurdly low: one connection at a time, not none
    ],
)
def test_descriptor_plan(soft: int, hard: int, cap: int, expected: tuple[int, int]) -> None:
    assert descriptor_plan(soft, hard, cap) == expected


class Exchange:
    """An ASGI request fed in chunks, and the response it got."""

    def __init__(self, body: bytes | list[bytes], headers: dict[str, str], stall: bool = False):
        self.chunks = [body] if isinstance(body, bytes) else list(body)
        self.headers = headers
        self.stall = stall
        self.status = 0
        self.sent = b""

    def scope(self) -> dict[str, Any]:
        return {
            "type": "http",
            "method": "POST",
            "path": "/slack/events",
            "query_string": b"",
            "headers": [(k.encode(), v.encode()) for k, v in self.headers.items()],
        }

    async def receive(self) -> dict[str, Any]:
        if self.chunks:
            chunk = self.chunks.pop(0)
            more = bool(self.chunks) or self.stall
            return {"type": "http.request", "body": chunk, "more_body": more}
        await asyncio.sleep(3600)  # a client that never sends the rest
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        else:
            self.sent += message.get("body", b"")


def signed(body: bytes, content_type: str = FORM) -> dict[str, str]:
    headers = {k: v[0] for k, v in slack.signed_headers(body.decode(), content_type).items()}
    headers["content-length"] = str(len(body))
    return headers


@pytest.fixture
async def endpoint(tmp_path: Path) -> AsyncIterator[SlackEndpoint]:
    async with fake_slack() as fake:
        config = Settings(
            database_url=sqlite_url(tmp_path / "e.db"),
            campaign=CAMPAIGN,
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=slack.SECRET,
            slack_api_url=f"{fake.base_url}api/",
        )
        async with open_services(config, clock=Clock(LONDON, start=SEPT_20, frozen=True)) as built:
            adapter = SlackAdapter(Dispatcher(built), config)
            yield SlackEndpoint(adapter.app, slack.SECRET, Limits(body_timeout=0.3))


async def test_a_body_sent_too_slowly_gets_408(endpoint: SlackEndpoint) -> None:
    exchange = Exchange(b"token=x&te", {"content-length": "900", "content-type": FORM}, stall=True)
    started = time.monotonic()
    await endpoint(exchange.scope(), exchange.receive, exchange.send)
    assert exchange.status == 408
    assert time.monotonic() - started < 5


async def test_a_body_over_a_mebibyte_gets_413_however_it_comes(endpoint: SlackEndpoint) -> None:
    declared = Exchange(b"", {"content-length": str(2 * 1024 * 1024), "content-type": FORM})
    await endpoint(declared.scope(), declared.receive, declared.send)
    assert declared.status == 413
    chunked = Exchange([b"a" * 65536] * 17, {"content-type": FORM})  # no length declared
    await endpoint(chunked.scope(), chunked.receive, chunked.send)
    assert chunked.status == 413


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)
SLACK_KEYS = [
    "type", "user", "team", "enterprise", "channel", "event", "view", "actions", "message",
    "container", "state", "values", "private_metadata", "callback_id", "trigger_id",
    "response_url", "action_id", "value", "selected_option", "authorizations", "api_app_id",
    "command", "text", "user_id", "channel_id", "team_id", "is_enterprise_install",
]  # fmt: skip
TYPES = ["block_actions", "view_submission", "event_callback", "block_suggestion", "shortcut"]
payloads = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES) | json_values},
    optional={
        key: json_values
        | st.dictionaries(st.sampled_from(SLACK_KEYS), json_values, max_size=4)
        | st.lists(
            st.dictionaries(st.sampled_from(SLACK_KEYS), json_values, max_size=3), max_size=2
        )
        for key in SLACK_KEYS
        if key != "type"
    },
)


@pytest.fixture(scope="module")
def running(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[asyncio.AbstractEventLoop, SlackEndpoint]]:
    """An endpoint and its own event loop, for the generated cases."""
    loop = asyncio.new_event_loop()
    folder = tmp_path_factory.mktemp("fuzz")
    stack = contextlib.AsyncExitStack()

    async def start() -> SlackEndpoint:
        fake = await stack.enter_async_context(fake_slack())
        config = Settings(
            database_url=sqlite_url(folder / "f.db"),
            campaign=CAMPAIGN,
            slack_bot_token="xoxb-test-token",
            slack_signing_secret=slack.SECRET,
            slack_api_url=f"{fake.base_url}api/",
        )
        clock = Clock(LONDON, start=SEPT_20, frozen=True)
        built = await stack.enter_async_context(open_services(config, clock=clock))
        return SlackEndpoint(SlackAdapter(Dispatcher(built), config).app, slack.SECRET, Limits())

    try:
        yield loop, loop.run_until_complete(start())
    finally:
        loop.run_until_complete(asyncio.sleep(0.5))  # lazy listeners still running
        loop.run_until_complete(stack.aclose())
        loop.close()


@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
@given(payload=payloads, as_form=st.booleans())
def test_no_signed_body_of_any_shape_gets_a_500(
    running: tuple[asyncio.AbstractEventLoop, SlackEndpoint],
    caplog: pytest.LogCaptureFixture,
    payload: dict[str, Any],
    as_form: bool,
) -> None:
    loop, endpoint = running
    if as_form:
        body, content_type = urlencode({"payload": json.dumps(payload)}).encode(), FORM
    else:
        body, content_type = json.dumps(payload).encode(), "application/json"
    try:
        check_body(body, content_type)
        readable = True
    except Malformed:
        readable = False
    exchange = Exchange(body, signed(body, content_type))
    loop.run_until_complete(endpoint(exchange.scope(), exchange.receive, exchange.send))
    assert exchange.status in (200, 400, 404), (exchange.status, payload)
    if not readable:
        assert exchange.status == 400
    ours = ("bot.adapters", "mobilise.slack", "slack_bolt")
    assert not [r for r in caplog.records if r.name.startswith(ours) and r.exc_info]
