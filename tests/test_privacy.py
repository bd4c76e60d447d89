"""Consent, transparency, erasure, retention, secrets and backups."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
import subprocess
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Connection, MetaData, Table, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.adapters.console import Console
from bot.app import open_services
from bot.campaign.domain import NominationReport, User
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.logs import REDACTED, RedactingFormatter, configure_logging, secrets_of
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from bot.store import Store
from bot.store.backup import backup_sqlite
from bot.store.schema import metadata
from bot.views.exports import COLUMNS, EXPORTS
from schedules.deliver import Deliverer
from tests import reminder_state as states
from tests.conftest import CAMPAIGN, LONDON, SEPT_20, mobilise_command, sqlite_url
from tests.fakes.slack_api import FakeSlack
from tests.store_rows import table_rows


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


async def busy_day(alice: Console, organiser: Console, services: Services) -> None:
    """Alice leaves traces everywhere the bot can hold something about her."""
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:18 Sep notice:3 Sep")
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    await say(alice, "/needhelp branch:DWP-LEEDS")
    await say(alice, "/snooze")
    await say(alice, "/export")  # refused, and audited with her name
    await say(alice, "what does mark think of alice's cat?")
    await say(organiser, "/verify branch:DWP-LEEDS")
    await say(organiser, "/broadcast-here")
    await (await states.sending(services, {"console": states.RecordingSender()})).sweep(
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
    assert "You reported DWP-LEEDS's meeting on Wednesday 18 September 2019" in text
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


# --- nothing personal left: every table and column, as the database itself lists them ---


async def scan(url: str, words: Sequence[str]) -> list[str]:
    """Every value in every table (found by introspection, not the bot's own schema)
    that contains one of `words`, in any case."""
    engine = create_async_engine(url)
    wanted = [w.casefold() for w in words]

    def look(conn: Connection) -> list[str]:
        found = []
        reflected = MetaData()
        for name in inspect(conn).get_table_names():
            table = Table(name, reflected, autoload_with=conn)
            for row in conn.execute(select(table)):
                for column, value in row._mapping.items():
                    shown = "" if value is None else str(value).casefold()
                    found += [f"{name}.{column}: {value!r}" for w in wanted if w in shown]
        return found

    try:
        async with engine.connect() as conn:
            return await conn.run_sync(look)
    finally:
        await engine.dispose()


def files_of(url: str) -> bytes:
    """The SQLite file and its write-ahead log, as bytes, lower-cased."""
    path = Path(make_url(url).database or "")
    wal = path.with_name(path.name + "-wal")
    return (path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")).lower()


@pytest.fixture
async def anywhere(database_url: str, clock: Clock) -> AsyncIterator[Services]:
    """The real store on a fresh SQLite file, then on a fresh PostgreSQL database."""
    settings = Settings(database_url=database_url, campaign=CAMPAIGN)
    async with open_services(settings, clock=clock) as services:
        yield services


PEOPLE = ("alice", "bob", "olive", "Jo Bloggs", "Bloggs")


async def whole_campaign(services: Services) -> dict[str, Console]:
    """Alice, Bob and an organiser through nominations and the ballot: sign-ups, reports,
    an official, questions that name people, an answer that names the asker, votes."""
    dispatcher = Dispatcher(services)
    alice, bob = Console(dispatcher, "alice"), Console(dispatcher, "bob")
    olive = Console(dispatcher, "olive", organiser=True)
    await busy_day(alice, olive, services)
    await say(bob, "/volunteer branch:HMRC-BOOT consent:yes")
    await say(bob, "/nominate branch:HMRC-BOOT outcome:other nominee:Lloyd")
    await say(bob, "is alice the rep for leeds, can she bring the cat?")
    await say(alice, "is alice the rep for leeds, can she bring the cat?")
    await say(bob, "can bob borrow the branch minibus on friday?")
    (shared,) = [
        q for q in await services.store.questions.unanswered() if "rep for leeds" in q.text
    ]
    answered = await say(
        olive, f"/answer id:{shared.id} text:Yes, alice is the rep; ask olive about the cat."
    )
    assert "Saved." in answered, answered
    (audited,) = [e for e in await services.store.audit.latest() if e.action == "answer"]
    assert audited.detail == f"id:{shared.id} text:-"  # the answer's words are not kept
    services.clock.set(datetime(2019, 11, 20, 10, 0, tzinfo=LONDON))
    for who in (alice, bob):
        assert "voted" in await say(who, "/voted")
    assert "3" in await say(alice, "/pledge count:3")
    return {"alice": alice, "bob": bob, "olive": olive}


async def test_after_the_purge_nothing_personal_is_left_and_the_tallies_stay(
    anywhere: Services,
) -> None:
    services = anywhere
    people = await whole_campaign(services)
    services.clock.set(datetime(2020, 1, 12, 10, 0, tzinfo=LONDON))
    progress = await say(people["olive"], "/progress")
    by_region = await say(people["olive"], "/progress by:region")
    assert "volunteers who have voted: 2 of 2; colleagues they have asked to vote: 3" in progress
    assert "Lloyd 1" in progress
    assert await scan(services.settings.database_url, PEOPLE)  # all there before
    # An answer audited as older versions did, words and all.
    olive = User("console", "olive", "olive")
    old = "id:9 text:ring Dave Smith on 07700 900123 question:who is the rep"
    await services.store.audit.record(olive, "answer", old, services.clock.now())

    done = await asyncio.to_thread(run_cli, services, "purge", now="2020-01-12T10:00")
    assert done.returncode == 0, done.stderr
    assert ", 2 official names." in done.stdout

    assert await scan(services.settings.database_url, PEOPLE) == []
    assert await say(people["olive"], "/progress") == progress
    assert await say(people["olive"], "/progress by:region") == by_region
    branch = await say(people["olive"], "/branch branch:DWP-LEEDS")
    assert "Will it count? Yes" in branch
    assert "form sent, signed by a named official" in branch
    audited = [e.detail for e in await services.store.audit.latest(100) if e.action == "answer"]
    assert len(audited) == 2 and all(re.fullmatch(r"id:\d+", d or "") for d in audited)
    answers = await services.store.questions.answers()
    assert [a.answer for a in answers] == ["Yes, [erased] is the rep; ask [erased] about the cat."]
    for what in EXPORTS:
        exported = await asyncio.to_thread(
            run_cli, services, "export", what, now="2020-01-12T10:00"
        )
        assert exported.returncode == 0, exported.stderr
        assert not [w for w in PEOPLE if w.lower() in exported.stdout.lower()], exported.stdout
    volunteers = await asyncio.to_thread(run_cli, services, "export", "volunteers")
    assert volunteers.stdout.count("\n") == 1  # the header alone
    ballot = await asyncio.to_thread(run_cli, services, "export", "ballot")
    assert ballot.stdout.splitlines()[1:] == [
        "DWP-LEEDS,DWP Leeds,1,3",
        "HMRC-BOOT,HMRC Bootle,1,0",
    ]


async def test_export_after_the_purge_date_purges_first(anywhere: Services) -> None:
    services = anywhere
    await whole_campaign(services)
    exported = await asyncio.to_thread(run_cli, services, "export", "volunteers")
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.splitlines() == [",".join(COLUMNS["volunteers"])]
    assert await scan(services.settings.database_url, PEOPLE) == []
    (entry,) = [e for e in await services.store.audit.latest() if e.action == "purge"]
    assert (entry.detail or "").startswith("by the command line, before an export: 3 people")


async def test_organisers_export_after_the_purge_date_holds_nobody(anywhere: Services) -> None:
    services = anywhere
    olive = (await whole_campaign(services))["olive"]
    services.clock.set(datetime(2020, 1, 12, 10, 0, tzinfo=LONDON))
    for what in EXPORTS:
        reply = await olive.reply_to(f"/export what:{what}")
        assert reply is not None and reply.attachment is not None
        exported = reply.attachment.content.decode().lower()
        assert not [w for w in PEOPLE if w.lower() in exported], exported
        if what == "volunteers":
            assert exported.count("\n") == 1  # the header alone
    # Supporters are gone; the organiser's exports are audited under her name until the
    # next sweep purges again.
    assert await scan(services.settings.database_url, ("alice", "bob", "Bloggs")) == []


async def test_volunteering_after_the_purge_date_is_refused(anywhere: Services) -> None:
    services = anywhere
    services.clock.set(datetime(2020, 1, 12, 10, 0, tzinfo=LONDON))
    carol = Console(Dispatcher(services), "carol")
    refused = await say(carol, "/volunteer branch:DWP-LEEDS consent:yes")
    assert refused == (
        "The campaign is over: everyone's details were deleted after Saturday 11 January "
        "2020, so I'm not signing anyone up now. Thanks for wanting to help!"
    )
    assert await scan(services.settings.database_url, ["carol"]) == []


async def test_forgetme_leaves_nothing_in_the_tables_or_the_files(anywhere: Services) -> None:
    services = anywhere
    people = await whole_campaign(services)
    url = services.settings.database_url
    assert await scan(url, ["alice"])
    asked = "is alice the rep for leeds, can she bring the cat?"
    assert "Yes, alice is the rep" in await say(people["bob"], asked)
    assert (await say(people["alice"], "/forgetme")).startswith("Done.")
    # The running bot answers with the stored words, not the ones it learnt before.
    assert "Yes, [erased] is the rep" in await say(people["bob"], asked)
    assert await scan(url, ["alice"]) == []
    if url.startswith("sqlite"):
        assert b"alice" not in files_of(url)
    # Bob's question that named her stays for the organisers, without her name.
    (answer,) = await services.store.questions.answers()
    assert answer.question == "is [erased] the rep for leeds, can she bring the cat?"
    assert "bob" in " ".join(await scan(url, ["bob"]))  # nobody else was erased


async def test_forgetme_finds_a_handle_typed_in_a_direct_message(
    slack_services: Services, slack_settings: Settings, fake: FakeSlack
) -> None:
    from bot.adapters.slack import SlackAdapter
    from tests import slack_harness as slack
    from tests.test_slack import run_command

    adapter = SlackAdapter(Dispatcher(slack_services), slack_settings)
    me = {"user": "U0ALICE", "user_name": "alice.smith"}
    signed = await run_command(adapter, fake, "volunteer", "branch:DWP-LEEDS consent:yes", **me)
    assert "signed up" in signed["text"]
    for n, (who, said) in enumerate(
        [
            ("U0ALICE", "can alice.smith borrow the branch minibus on friday?"),
            ("U0ALICE", "is alice.smith our rep, and can she bring the cat?"),
            ("U0BOB", "is alice.smith our rep, and can she bring the cat?"),
        ]
    ):
        event = {"type": "message", "channel_type": "im", "user": who, "channel": "D1"}
        await slack.event(adapter, {**event, "ts": f"1700.{n}", "text": said})
        await fake.wait_for("chat.postMessage", count=n + 1)
    url = slack_settings.database_url
    assert await scan(url, ["alice.smith"])  # her questions, her handle
    erased = await run_command(adapter, fake, "forgetme", "", **me)
    assert erased["text"].startswith("Done.")
    assert await scan(url, ["alice.smith", "U0ALICE"]) == []
    assert b"alice.smith" not in files_of(url) and b"u0alice" not in files_of(url)
    # Her own question went; the one Bob asked too stays, without her handle.
    (left,) = await slack_services.store.questions.unanswered()
    assert left.text == "is [erased] our rep, and can she bring the cat?"


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
    from bot.campaign.loading import load_campaign

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


async def test_who_had_a_meeting_invitation_goes_with_them(anywhere: Services) -> None:
    """Who had each meeting's invitation is kept as a link to the person alone: /forgetme
    erases theirs (and they are sent no more changes), and the purge erases every one."""
    services = anywhere
    dispatcher = Dispatcher(services)
    alice, bob, carol = (Console(dispatcher, name) for name in ("alice", "bob", "carol"))
    await say(alice, "/meeting branch:DWP-LEEDS date:10 Oct")
    await say(bob, "/notice branch:DWP-LEEDS")
    await say(carol, "/notice branch:DWP-LEEDS")
    meeting = await services.store.meetings.current("DWP-LEEDS")
    assert meeting is not None
    held = await table_rows(services.store, "meeting_recipients")
    assert sorted(len(row) for row in held) == [3, 3, 3]  # uid, person, sequence: no more
    assert "Calendar invitations I gave you: 1 meeting; I send you their changes." in (
        await say(bob, "/mydata")
    )
    assert (await say(bob, "/forgetme")).startswith("Done.")
    assert [who for _, who, _ in await services.store.invitations.recipients(meeting.uid)] == [
        "alice",
        "carol",
    ]
    services.clock.advance(timedelta(hours=1))
    await say(alice, "/meeting branch:DWP-LEEDS date:11 Oct")
    sent = states.RecordingSender()
    await (await states.sending(services, {"console": sent})).sweep(services.clock.now())
    assert [(target.id, reply.attachment is not None) for target, reply, _ in sent.sent] == [
        ("carol", True)
    ]

    done = await asyncio.to_thread(run_cli, services, "purge", now="2020-01-12T10:00")
    assert done.returncode == 0, done.stderr
    assert await table_rows(services.store, "meeting_recipients") == []
