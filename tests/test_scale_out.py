"""Several bot processes on one store: one sends the reminders, another takes over."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.campaign.domain import User
from bot.campaign.loading import load_campaign
from bot.store import Store
from tests.backends import SKIP_REASON, fresh_postgres, postgres_url
from tests.conftest import CAMPAIGN, LONDON, sqlite_url
from tests.fakes.discord_api import FakeDiscord, fake_discord

MESSAGES = "POST /channels/{id}/messages"
SIGNED_UP = datetime(2019, 9, 20, 10, 0, tzinfo=LONDON)
RECIPIENTS = 60


def needs_postgres(test: object) -> object:
    marked = pytest.mark.postgresql(test)
    return pytest.mark.skipif(postgres_url() is None, reason=SKIP_REASON)(marked)


async def seed(url: str, recipients: int = RECIPIENTS) -> None:
    store = await Store.open(url)
    branches = load_campaign(CAMPAIGN).branches
    await store.branches.sync(branches, SIGNED_UP)
    await asyncio.gather(
        *(
            store.people.sign_up(
                User("discord", str(600_000_000_000_000_000 + n), f"V{n}"),
                branches[n % len(branches)].code,
                "consent",
                SIGNED_UP,
            )
            for n in range(recipients)
        )
    )
    await store.close()


def environment(url: str, fake: FakeDiscord, lease_seconds: float = 3) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    env.update(
        DISCORD_TOKEN="scale-out-token",
        DISCORD_API_URL=fake.base_url,
        MOBILISE_DATABASE_URL=url,
        MOBILISE_CAMPAIGN=str(CAMPAIGN),
        MOBILISE_NOW=(SIGNED_UP + timedelta(seconds=30)).replace(tzinfo=None).isoformat(),
        MOBILISE_SWEEP_SECONDS="1",
        MOBILISE_LEADER_POLL_SECONDS="0.5",
        MOBILISE_LEASE_SECONDS=str(lease_seconds),
        MOBILISE_DISCORD_SEND_RATE="20",
        MOBILISE_LOG_LEVEL="INFO",
    )
    return env


async def start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        "--reminders-only",
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def stop(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    return stderr.decode()


async def until(condition: object, within: float) -> None:
    deadline = time.monotonic() + within
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


def logged_at(line: str) -> datetime:
    """When a log line was written (local time, as the log's format has it); a line
    without a time of its own (a traceback's) counts as the latest."""
    try:
        return datetime.strptime(line[:23], "%Y-%m-%d %H:%M:%S,%f")
    except ValueError:
        return datetime.max


def visible_per_recipient(fake: FakeDiscord) -> Counter[str]:
    return Counter(call.path.split("/")[-2] for call in fake.calls_to(MESSAGES))


@pytest.fixture
async def postgres() -> AsyncIterator[str]:
    if postgres_url() is None:
        pytest.skip(SKIP_REASON)
    async with fresh_postgres() as url:
        yield url


@needs_postgres
async def test_two_processes_send_each_reminder_once(postgres: str, tmp_path: Path) -> None:
    await seed(postgres)
    async with fake_discord(message_limit=50, latency=0.02) as fake:
        # A lease long enough that a busy machine's late renewal does not hand it over.
        env = environment(postgres, fake, lease_seconds=10)
        first, second = await start(env, tmp_path), await start(env, tmp_path)
        try:
            await until(lambda: len(visible_per_recipient(fake)) >= RECIPIENTS, 60)
            await asyncio.sleep(2.5)  # both keep sweeping: nothing more may arrive
        finally:
            # The first to stop gives the lease back and the other may take it while it
            # stops too: only what was logged before stopping began counts.
            stopping = datetime.now()
            logs = await asyncio.gather(stop(first), stop(second))
    counts = visible_per_recipient(fake)
    assert len(counts) == RECIPIENTS
    assert set(counts.values()) == {1}
    joined = "\n".join(logs)
    running = [line for line in joined.splitlines() if logged_at(line) < stopping]
    leases = [line for line in running if "lease" in line or "sends the" in line]
    assert sum("this process now sends the reminders" in line for line in running) == 1, leases
    assert "another process sends the reminders; standing by" in joined


@needs_postgres
async def test_the_standby_takes_over_when_the_leader_dies(postgres: str, tmp_path: Path) -> None:
    await seed(postgres)
    async with fake_discord(message_limit=20, latency=0.05) as fake:
        env = environment(postgres, fake)
        leader = await start(env, tmp_path)
        await until(lambda: len(fake.calls_to(MESSAGES)) >= 5, 60)
        standby = await start(env, tmp_path)
        try:
            await until(lambda: len(fake.calls_to(MESSAGES)) >= RECIPIENTS // 2, 60)
            leader.send_signal(signal.SIGKILL)
            killed_at = time.monotonic()
            await leader.wait()
            sent_before = len(fake.calls_to(MESSAGES))
            await until(
                lambda: (
                    len(fake.calls_to(MESSAGES)) > sent_before
                    or len(visible_per_recipient(fake)) >= RECIPIENTS
                ),
                30,
            )
            took_over_in = time.monotonic() - killed_at
            await until(lambda: len(visible_per_recipient(fake)) >= RECIPIENTS, 60)
            await asyncio.sleep(2.0)
        finally:
            log = await stop(standby)
    assert "this process now sends the reminders" in log
    assert took_over_in < 10  # one poll, one sweep, and the start of sending
    counts = visible_per_recipient(fake)
    assert len(counts) == RECIPIENTS
    assert set(counts.values()) == {1}  # in flight at the kill: shown once, by nonce


async def test_a_second_process_on_sqlite_stands_by_and_says_who_sends(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "one.db")
    await seed(url, recipients=2)
    async with fake_discord() as fake:
        env = environment(url, fake)
        first = await start(env, tmp_path)
        await until(lambda: len(fake.calls_to(MESSAGES)) >= 2, 60)
        second = await start(env, tmp_path)
        assert second.stderr is not None
        lines: list[str] = []
        while not any("standing by" in line for line in lines):
            line = await asyncio.wait_for(second.stderr.readline(), 60)
            assert line, "the second process ended without standing by"
            lines.append(line.decode())
        first_log = await stop(first)
        await asyncio.sleep(2)  # the lease is given back: the standby takes over
        second_log = "".join(lines) + await stop(second)
    assert "this process now sends the reminders" in first_log
    standing = next(line for line in second_log.splitlines() if "standing by" in line)
    assert "held by run (process" in standing
    assert "this process now sends the reminders" in second_log
    assert len(fake.calls_to(MESSAGES)) == 2
