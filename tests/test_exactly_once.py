"""Every reminder exactly once, however the bot is run: real `mobilise` processes sending
to 2,000 imported volunteers through a fake Slack Web API that takes 10 ms a message,
on SQLite and on PostgreSQL. Two senders at once, a running bot beside a cron
`send-due`, and five SIGKILLs at random points each followed by a restart: in every case
nothing is lost or doubled at the platform, and every row says what the platform got."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from tests.fakes.slack_api import fake_slack
from tests.fleet import Fleet, finish, kill, stop, tally

# Real sender processes, killed and restarted: the slow tier (make test-all, CI).
pytestmark = pytest.mark.slow
RECIPIENTS = 2000


async def check(fleet: Fleet) -> None:
    result = tally(fleet.received(), await fleet.statuses(), RECIPIENTS)
    assert result == {
        "delivered": RECIPIENTS,
        "duplicates": 0,
        "lost": 0,
        "recorded_sent": RECIPIENTS,
        "sent_not_recorded": 0,
        "recorded_not_sent": 0,
    }


@pytest.mark.timeout(600)
async def test_two_send_dues_at_once(database_url: str, tmp_path: Path) -> None:
    async with fake_slack(latency=0.01) as fake:
        fleet = Fleet(database_url, "slack", fake, tmp_path)
        await fleet.import_volunteers(RECIPIENTS)
        first, second = await fleet.start("send-due"), await fleet.start("send-due")
        codes = [await finish(first), await finish(second)]
        await check(fleet)
    # One sent; the other waited for the lease and found nothing left, or gave way.
    assert sorted(code for code, _ in codes)[0] == 0
    for code, err in codes:
        if code != 0:
            assert "nothing sent: reminders are being sent by send-due (process" in err


@pytest.mark.timeout(600)
async def test_a_running_bot_and_a_cron_send_due(database_url: str, tmp_path: Path) -> None:
    async with fake_slack(latency=0.01) as fake:
        fleet = Fleet(database_url, "slack", fake, tmp_path)
        await fleet.import_volunteers(RECIPIENTS)
        running = await fleet.start("run", "--reminders-only")
        cron = await fleet.start("send-due")
        try:
            await fleet.until_arrived(RECIPIENTS)
            await finish(cron)
            await asyncio.sleep(2)  # the bot keeps sweeping: nothing more may go
        finally:
            await stop(running)
        await check(fleet)


@pytest.mark.timeout(600)
async def test_five_kills_and_restarts(database_url: str, tmp_path: Path) -> None:
    chance = random.Random(14)
    async with fake_slack(latency=0.01) as fake:
        fleet = Fleet(database_url, "slack", fake, tmp_path)
        await fleet.import_volunteers(RECIPIENTS)
        points = sorted(chance.sample(range(50, RECIPIENTS - 50), 5))
        for point in points:
            sender = await fleet.start("send-due")
            await fleet.until_arrived(point)
            await kill(sender)
        code, err = await finish(await fleet.start("send-due"))
        assert code == 0, err
        await check(fleet)
