"""Fenced sending and recovery, with real `mobilise send-due` processes against the fake
Slack and Discord APIs, on SQLite and PostgreSQL.

A sender paused (SIGSTOP) for longer than its lease, while a second sender takes over,
sends nothing again when it resumes. A sender killed part way leaves sends whose fate is
unknown: the next one finds them on the platform (Slack by message metadata, Discord by
the key in a button's custom id, with Discord's nonce ignored) and never sends one again
until a look-up has succeeded, however long the look-ups are answered with 429.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.campaign.records import DeliveryClaim
from bot.runtime.leader import Lease
from bot.store import Store
from tests.fakes.discord_api import FakeDiscord, fake_discord
from tests.fakes.slack_api import FakeSlack, fake_slack
from tests.fleet import Fleet, finish, kill, tally

RECIPIENTS = 300
LEASE = 2.0  # seconds; the pause below is longer
# The senders' clock, a few minutes after the import's: every welcome is due, however
# long the import took on its own clock.
SEND_DUE = ("--now", "2019-09-20T10:05", "send-due")


@asynccontextmanager
async def platform(name: str, latency: float) -> AsyncIterator[FakeSlack | FakeDiscord]:
    """The fake platform; Discord's ignores nonces, so nothing rests on them."""
    if name == "slack":
        async with fake_slack(latency=latency) as slack:
            yield slack
    else:
        async with fake_discord(honour_nonce=False, latency=latency) as discord:
            yield discord


async def test_a_sending_mark_is_refused_under_an_epoch_gone_by(database_url: str) -> None:
    """The fence itself, on the real store: once the lease has run out and been taken
    again, even by the same process, what was claimed under the old epoch cannot be
    marked "sending"; under the new one it can."""
    store = await Store.open(database_url)
    try:
        lease = Lease(store, "send-due", 60)
        assert await lease.try_take() is None
        now = datetime.now(UTC)
        message = DeliveryClaim(
            rule_id="welcome",
            recipient="slack:U1",
            occurrence="2019-09-20",
            audience="volunteer",
            platform="slack",
            person_id=None,
            branch_code=None,
            due_at=now,
            nonce="k1",
        )
        (claimed,) = await store.deliveries.claim([message], lease.owner(), now)
        before = lease.owner()
        await store.leases.release(lease.name, lease.owner_name, now)  # it runs out
        assert await lease.try_take() is None  # and is taken again: a new epoch
        assert lease.epoch == before.epoch + 1
        assert not await store.deliveries.mark_sending(claimed.id, before, now)
        assert await store.deliveries.mark_sending(claimed.id, lease.owner(), now)
    finally:
        await store.close()


async def holds_nothing_open(url: str) -> bool:
    """Whether no connection to the store is inside a transaction (on SQLite: nobody
    holds the write lock)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        probe = sqlite3.connect(str(parsed.database), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            probe.close()
    engine = create_async_engine(parsed)
    try:
        async with engine.connect() as conn:
            busy = await conn.scalar(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state <> 'idle'"
                )
            )
            return busy == 0
    finally:
        await engine.dispose()


async def pause_between_transactions(process: asyncio.subprocess.Process, url: str) -> None:
    """SIGSTOP `process` at a moment it holds no transaction open. Paused inside one, it
    would hold its locks and so stop every other sender too: nothing could be doubled."""
    for _ in range(200):
        process.send_signal(signal.SIGSTOP)
        await asyncio.sleep(0.05)
        if await holds_nothing_open(url):
            return
        process.send_signal(signal.SIGCONT)
        await asyncio.sleep(0.013)
    raise AssertionError("the sender was never found between transactions")


async def until_arrived(
    fleet: Fleet, count: int, sender: asyncio.subprocess.Process, within: float = 60.0
) -> None:
    """Until `count` messages have arrived; if not, what the sender said."""
    try:
        await fleet.until_arrived(count, within)
    except TimeoutError as error:
        await kill(sender)
        out, err = await sender.communicate()
        raise AssertionError(f"{error}: {out.decode()} {err.decode()[-2000:]}") from None


async def check(fleet: Fleet, recipients: int = RECIPIENTS) -> None:
    result = tally(fleet.received(), await fleet.statuses(), recipients)
    assert result == {
        "delivered": recipients,
        "duplicates": 0,
        "lost": 0,
        "recorded_sent": recipients,
        "sent_not_recorded": 0,
        "recorded_not_sent": 0,
    }


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("platform_name", ["slack", "discord"])
async def test_a_sender_paused_past_its_lease_sends_nothing_again(
    database_url: str, platform_name: str, tmp_path: Path
) -> None:
    async with platform(platform_name, latency=0.01) as fake:
        fleet = Fleet(database_url, platform_name, fake, tmp_path, rate=100.0, lease_seconds=LEASE)
        await fleet.import_volunteers(RECIPIENTS)
        first = await fleet.start(*SEND_DUE)
        await until_arrived(fleet, 60, first)
        await pause_between_transactions(first, database_url)  # a VM paused, a lid closed
        try:
            await asyncio.sleep(LEASE + 1.5)
            second = await fleet.start(*SEND_DUE)
            code, err = await finish(second)
            assert code == 0, err
            assert fleet.arrived() >= RECIPIENTS, err  # the second sent what was left
        finally:
            first.send_signal(signal.SIGCONT)
        await finish(first)
        await check(fleet)


async def in_doubt(fleet: Fleet) -> set[str]:
    """Messages the platform has that the store still has as being sent: a send cut short."""
    statuses = await fleet.statuses()
    return {key for key in fleet.received() if statuses.get(key) == "sending"}


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_three_kills_with_discords_nonce_ignored(database_url: str, tmp_path: Path) -> None:
    chance = random.Random(24)
    async with fake_discord(honour_nonce=False, latency=0.05) as fake:
        fleet = Fleet(database_url, "discord", fake, tmp_path, rate=200.0)
        await fleet.import_volunteers(RECIPIENTS)
        cut_short: set[str] = set()
        for point in sorted(chance.sample(range(30, RECIPIENTS - 30), 3)):
            sender = await fleet.start(*SEND_DUE)
            await until_arrived(fleet, point, sender)
            await kill(sender)
            cut_short |= await in_doubt(fleet)
        assert cut_short  # Discord had them; the store could not say so
        code, err = await finish(await fleet.start(*SEND_DUE))
        assert code == 0, err
        # Found in the DM channels' history, by the key in a button's custom id.
        assert fake.calls_to("GET /channels/{id}/messages")
        await check(fleet)


@pytest.mark.slow
@pytest.mark.timeout(300)
async def test_history_answering_429_ten_times_sends_nothing_twice(
    database_url: str, tmp_path: Path
) -> None:
    async with fake_slack(latency=0.05) as fake:
        fleet = Fleet(database_url, "slack", fake, tmp_path)
        await fleet.import_volunteers(RECIPIENTS)
        sender = await fleet.start(*SEND_DUE)
        await until_arrived(fleet, RECIPIENTS // 2, sender)
        await kill(sender)
        cut_short = await in_doubt(fleet)
        assert cut_short
        # Every look-up for a send cut short is answered 429 ten times in a row: more
        # than slack-sdk retries, so the first sweep cannot tell, and sends none again.
        fake.rate_limit("conversations.history", times=10 * len(cut_short), retry_after=1)
        code, err = await finish(await fleet.start(*SEND_DUE))
        assert code == 0, err
        assert "could not look for" in err
        assert len(fake.calls_to("conversations.history#429")) == 10 * len(cut_short)
        await check(fleet)
