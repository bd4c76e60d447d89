"""Slack's acknowledgement never waits on the store, and a request is known by Slack's
own identity of it (its trigger_id or event_id), not by its signature.

A real `mobilise run --slack-http` process answers a signed /nominate while another
process holds the SQLite write lock for 13 seconds, inside the 3 seconds Slack waits,
and records the report once the lock clears. A write that fails for good tells the
person plainly that nothing was recorded. The same trigger_id signed anew acts once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot.adapters.slack import SlackAdapter
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.messages import NOT_SAVED
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from tests import slack_harness as slack
from tests.fakes.slack_api import FakeSlack, fake_slack
from tests.slack_process import FORM, post_signed, slack_http_bot

SLACK_WAITS = 3.0  # seconds Slack waits for an acknowledgement before it gives up
LOCKED_FOR = 13.0


@pytest.fixture
def adapter(slack_services: Services, slack_settings: Settings) -> SlackAdapter:
    return SlackAdapter(Dispatcher(slack_services), slack_settings)


def nominations(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as conn:
        return list(conn.execute("SELECT branch_code, outcome FROM nominations"))


@pytest.mark.slow
@pytest.mark.timeout(180)
async def test_acknowledged_while_the_store_is_locked_and_recorded_after(
    tmp_path: Path,
) -> None:
    async with fake_slack() as fake, slack_http_bot(fake, tmp_path) as bot:
        database = tmp_path / "bot.db"
        lock = sqlite3.connect(database, isolation_level=None)
        lock.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        try:
            body = slack.command_body(
                "nominate",
                "branch:DWP-LEEDS outcome:nominated",
                response_url=fake.response_url("n"),
            )
            # As Slack does: give up on the request if it is not acknowledged in time.
            waits = aiohttp.ClientTimeout(total=SLACK_WAITS)
            async with aiohttp.ClientSession(timeout=waits) as session:
                assert await post_signed(session, bot.url, body, FORM) == 200
            await asyncio.sleep(LOCKED_FOR)
            assert nominations(database) == []  # nothing could be written yet
            assert fake.calls_to("response_url:n") == []
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        (answer,) = await fake.wait_for("response_url:n", within=60)
    assert "Recorded: DWP Leeds nominated" in answer.body["text"]
    assert nominations(database) == [("DWP-LEEDS", "nominated")]


async def test_a_write_that_fails_says_nothing_was_recorded(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    async with slack_services.store.engine.begin() as conn:  # a store that refuses writes
        await conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON nominations "
                "BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END"
            )
        )
    response = await slack.command(
        adapter,
        "nominate",
        "branch:DWP-LEEDS outcome:nominated",
        response_url=fake.response_url("n"),
    )
    assert response.status == 200
    (answer,) = await fake.wait_for("response_url:n")
    assert NOT_SAVED in answer.body["text"]
    assert await slack_services.store.nominations.current("DWP-LEEDS") is None


async def test_a_trigger_signed_anew_acts_once(
    adapter: SlackAdapter, fake: FakeSlack, slack_services: Services
) -> None:
    body = slack.command_body(
        "nominate",
        "branch:DWP-LEEDS outcome:nominated",
        response_url=fake.response_url("n"),
        trigger="13345224609.738474920.8088930838d88f008e0",
    )
    now = int(time.time())
    first = slack.signed_headers(body, FORM, timestamp=now - 60)
    again = slack.signed_headers(body, FORM, timestamp=now)  # Slack retrying: signed anew
    assert first["x-slack-signature"] != again["x-slack-signature"]
    for headers in (first, again):
        assert (await slack.dispatch(adapter, body, FORM, headers)).status == 200
    await fake.wait_for("response_url:n")
    await asyncio.sleep(0.5)  # time for a second handling, were there one
    assert len(fake.calls_to("response_url:n")) == 1
    nomination = await slack_services.store.nominations.current("DWP-LEEDS")
    assert nomination is not None and nomination.report_count == 1
