"""Consent, transparency, erasure, retention, secrets and backups."""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.adapters.console import Console
from bot.app import open_services
from bot.clock import Clock
from bot.dispatch import Dispatcher
from bot.domain import NominationReport, User
from bot.logs import REDACTED, RedactingFormatter, configure_logging, secrets_of
from bot.services import Services
from bot.settings import Settings
from bot.store import Store
from bot.store.backup import backup_sqlite
from bot.store.schema import metadata
from schedules.deliver import Deliverer
from tests import reminder_state as states
from tests.conftest import CAMPAIGN, LONDON, SEPT_20, mobilise_command, sqlite_url
from tests.store_rows import table_rows
from tests.test_reminders import RecordingSender


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


async def busy_day(alice: Console, organiser: Console, services: Services) -> None:
    """Alice leaves traces everywhere the bot can hold something about her."""
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    await say(alice, "/needhelp branch:DWP-LEEDS")
    await say(alice, "/snooze")
    await say(alice, "/export")  # refused, and audited with her name
    await say(alice, "what does mark think of alice's cat?")
    await say(organiser, "/verify branch:DWP-LEEDS")
    await say(organiser, "/broadcast-here")
    await (await states.sending(services, {"console": RecordingSender()})).sweep(
        services.clock.now() + timedelta(days=3)
    )


async def every_value(services: Services) -> list[str]:
    values = []
    for table in metadata.tables:
        for row in await table_rows(services.store, table):
            values.extend(str(v) for v in row)
    return values


async def test_mydata_shows_what_is_held(
    alice: Console, organiser: Console, services: Services
) -> None:
    assert await say(alice, "/mydata") == "I hold nothing about you."
    await busy_day(alice, organiser, services)
    text = await say(alice, "/mydata")
    assert "Who you are here: alice, console user id alice" in text
    assert (
        "Volunteer for DWP Leeds since Fri 20 Sep 10am; you agreed at Fri 20 Sep 10am to:" in text
    )
    assert "Union membership and support for a candidate are sensitive personal data" in text
    assert "Reminders: on, snoozed until" in text
    assert "You reported DWP-LEEDS's meeting on Monday 30 September 2019" in text
    assert "You asked for help 1 time." in text
    assert (
        "/forgetme erases all of it now; it is all deleted after Saturday 11 January 2020." in text
    )


async def test_forgetme_erases_every_trace_and_keeps_the_totals(
    alice: Console, organiser: Console, services: Services
) -> None:
    await busy_day(alice, organiser, services)
    before = await say(organiser, "/progress")
    pipeline = await say(organiser, "/pipeline")
    assert "alice" in await every_value(services)
    assert (await say(alice, "/forgetme")).startswith("Done. I've erased your name and user id")
    assert not [v for v in await every_value(services) if "alice" in v]
    assert await say(organiser, "/progress") == before
    assert await say(organiser, "/pipeline") == pipeline
    assert await say(alice, "/mydata") == "I hold nothing about you."


@pytest.fixture
async def after_the_ballot(
    services: Services, alice: Console, organiser: Console, bob: Console
) -> Services:
    await busy_day(alice, organiser, services)
    await say(bob, "/volunteer branch:HMRC-BOOT consent:yes")
    await say(bob, "/nominate branch:HMRC-BOOT outcome:other nominee:Lloyd")
    voted_on = datetime(2019, 11, 20, 10, tzinfo=UTC)
    assert await services.store.ballot.vote(User("console", "bob", "Bob"), voted_on) is not None
    return services


def run_cli(
    services: Services, *args: str, now: str = "2020-01-12T09:00"
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *mobilise_command(),
            "--db",
            services.settings.database_url,
            "--campaign",
            str(CAMPAIGN),
            "--now",
            now,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_purge_after_the_purge_date(after_the_ballot: Services) -> None:
    services = after_the_ballot
    organiser = Console(Dispatcher(services), "olive", organiser=True)
    before_values = await every_value(services)
    progress = await say(organiser, "/progress")

    early = await asyncio.to_thread(run_cli, services, "purge", now="2019-12-20T09:00")
    assert early.returncode == 2
    assert "personal data is kept until 11 January 2020" in early.stderr

    dry = await asyncio.to_thread(run_cli, services, "purge", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert dry.stdout.startswith("Would delete: 3 people, 2 volunteers, 1 help requests, ")
    assert ", 1 ballot records" in dry.stdout
    assert await every_value(services) == before_values

    done = await asyncio.to_thread(run_cli, services, "purge")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Deleted: 3 people, 2 volunteers")
    assert await table_rows(services.store, "people") == []
    assert await table_rows(services.store, "volunteers") == []
    assert await table_rows(services.store, "deliveries") == []
    assert await table_rows(services.store, "questions") == []
    assert await table_rows(services.store, "ballot_actions") == []
    values = await every_value(services)
    for name in ("alice", "bob", "olive"):
        assert not [v for v in values if name in v]
    # Tallies are anonymous and stay.
    assert len(await table_rows(services.store, "nominations")) == 2
    organiser = Console(Dispatcher(services), "olive", organiser=True)
    assert await say(organiser, "/progress") == progress
    (entry,) = [e for e in await services.store.audit.latest() if e.action == "purge"]
    assert entry.platform == "cli" and (entry.detail or "").startswith(
        "by the command line: 3 people"
    )


async def test_scheduled_purge(after_the_ballot: Services) -> None:
    from schedules import jobs as scheduler

    services = after_the_ballot
    services.clock.set(datetime(2020, 1, 10, 9, 0, tzinfo=LONDON))
    deliverer = Deliverer(services, {})
    scheduler._running["test"] = deliverer
    try:
        await scheduler.purge_when_due("test")
        assert len(await table_rows(services.store, "people")) == 3  # not yet
        services.clock.set(datetime(2020, 1, 11, 0, 0, 1, tzinfo=LONDON))
        await scheduler.purge_when_due("test")
        assert await table_rows(services.store, "people") == []
    finally:
        scheduler._running.pop("test")


async def test_backup_while_reports_are_written(tmp_path: Path) -> None:
    source = tmp_path / "live.db"
    store = await Store.open(sqlite_url(source))
    from bot.campaign import load_campaign

    branches = load_campaign(CAMPAIGN).branches
    await store.branches.sync(branches, SEPT_20)
    copy = tmp_path / "copy.db"

    async def write(n: int) -> None:
        await store.nominations.record(
            NominationReport(
                branches[n % len(branches)].code,
                "nominated",
                None,
                None,
                User("console", f"u{n}", f"User {n}"),
                SEPT_20 + timedelta(seconds=n),
            )
        )
        await asyncio.sleep(0.05)  # a steady stream, so the copy is taken mid-way

    async def writes() -> None:
        for n in range(100):
            await write(n)

    writing = asyncio.create_task(writes())
    await asyncio.sleep(0.01)
    result = await asyncio.to_thread(
        subprocess.run,
        [*mobilise_command(), "--db", sqlite_url(source), "backup", str(copy)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    await writing
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Backed up ")
    live = await table_rows(store, "nomination_history")
    await store.close()
    with sqlite3.connect(copy) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = db.execute("SELECT id, branch_code FROM nomination_history ORDER BY id").fetchall()
    assert 0 < len(copied) < 100  # taken while the reports were being written
    assert [row[0] for row in copied] == list(range(1, len(copied) + 1))  # a prefix
    assert [(row[0], row[1]) for row in live[: len(copied)]] == copied
    assert len(live) == 100


async def test_backup_refuses_postgres_and_same_file(tmp_path: Path) -> None:
    from bot.store.backup import BackupError

    with pytest.raises(BackupError, match="pg_dump"):
        await backup_sqlite("postgresql+asyncpg://u@h/db", str(tmp_path / "x"))
    db = tmp_path / "a.db"
    (await Store.open(sqlite_url(db))).engine  # noqa: B018 - creates the file
    with pytest.raises(BackupError, match="different file"):
        await backup_sqlite(sqlite_url(db), str(db))


SECRETS = {
    "SLACK_BOT_TOKEN": "xoxb-1111-very-secret-bot-token",
    "SLACK_SIGNING_SECRET": "signing-secret-2222",
    "SLACK_APP_TOKEN": "xapp-3333-app-level",
    "DISCORD_TOKEN": "discord.token.4444",
}


async def test_secrets_never_reach_the_logs(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], clock: Clock
) -> None:
    settings = Settings(
        database_url=sqlite_url(tmp_path / "s.db"),
        campaign=CAMPAIGN,
        slack_bot_token=SECRETS["SLACK_BOT_TOKEN"],
        slack_signing_secret=SECRETS["SLACK_SIGNING_SECRET"],
        slack_app_token=SECRETS["SLACK_APP_TOKEN"],
        discord_token=SECRETS["DISCORD_TOKEN"],
    )
    configure_logging(settings, "DEBUG")
    log = logging.getLogger("mobilise.test")
    try:
        async with open_services(settings, clock=clock) as services:
            console = Console(Dispatcher(services), "sam", organiser=True)
            for line in ("/help", "/progress", "/export", "/nominate branch:x", "hello"):
                await console.handle(line)
            log.info("settings: %r", settings)
            try:
                raise RuntimeError(f"failed with {SECRETS['DISCORD_TOKEN']}")
            except RuntimeError:
                log.exception("a failure that quotes a token")
            help_text = await console.handle("/help")
        captured = capfd.readouterr()
        everything = captured.out + captured.err + (help_text or "")
        assert REDACTED in captured.err  # the traceback's token was blanked
        for secret in SECRETS.values():
            assert secret not in everything
    finally:
        logging.getLogger().handlers.clear()


def test_formatter_blanks_database_passwords() -> None:
    settings = Settings(database_url="postgresql+asyncpg://bot:hunter2-long@db/campaign")
    formatter = RedactingFormatter(secrets_of(settings))
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "url %s", (settings.database_url,), None
    )
    assert "hunter2-long" not in formatter.format(record)


def test_run_with_debug_logging_leaks_nothing(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    env.update(SECRETS)
    env["MOBILISE_LOG_LEVEL"] = "DEBUG"
    result = subprocess.run(
        [
            *mobilise_command(),
            "--db",
            sqlite_url(tmp_path / "d.db"),
            "--campaign",
            str(CAMPAIGN),
            "slack-manifest",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=True,
    )
    for secret in SECRETS.values():
        assert secret not in result.stdout + result.stderr
