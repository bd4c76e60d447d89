"""The store on real databases: migrations, concurrency, group commit, erasure."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from bot.campaign.domain import Branch, NominationReport, User
from bot.store import Store
from bot.store.engine import HEAD, current_revision, migrate
from bot.store.schema import metadata
from tests.conftest import SEPT_20
from tests.store_rows import table_rows

BRANCHES = [Branch(f"B{n:03d}", f"Branch {n}", "Group", "Region") for n in range(100)]


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    opened = await Store.open(database_url)
    await opened.branches.sync(BRANCHES, SEPT_20)
    yield opened
    await opened.close()


def person(n: int) -> User:
    return User("console", f"user{n}", f"User {n}")


async def test_migrations_from_empty_match_the_schema(database_url: str) -> None:
    store = await Store.open(database_url, migrate_schema=False)
    try:
        assert await current_revision(store.engine) is None
        await migrate(store.engine)
        assert await current_revision(store.engine) == HEAD
        await migrate(store.engine)  # a second run is a no-op

        def differences(connection: object) -> list[object]:
            context = MigrationContext.configure(connection)  # type: ignore[arg-type]
            return list(compare_metadata(context, metadata))

        async with store.engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await store.close()


async def test_head_constant_is_alembics_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.store.engine import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == HEAD


async def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: object) -> None:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path}/w.db")
    try:
        async with store.engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA busy_timeout"))).scalar() == 10000
            assert (await conn.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    finally:
        await store.close()


async def test_concurrent_reports_leave_one_current_nomination_per_branch(store: Store) -> None:
    """1,000 reports at once for 100 branches: one current nomination each, all in history."""
    outcomes = ("nominated", "other", "none")

    async def report(n: int) -> None:
        await store.nominations.record(
            NominationReport(
                branch_code=BRANCHES[n % 100].code,
                outcome=outcomes[n % 3],
                nominee=None,
                meeting_date=date(2019, 9, 30),
                reporter=person(n % 37),
                at=SEPT_20 + timedelta(seconds=n),
            )
        )

    await asyncio.gather(*(report(n) for n in range(1000)))
    rows = await table_rows(store, "nominations")
    assert sorted(r[0] for r in rows) == sorted(b.code for b in BRANCHES)
    assert sum(r[7] for r in rows) == 1000  # report_count
    history = await table_rows(store, "nomination_history")
    assert len(history) == 1000
    for code in (b.code for b in BRANCHES):
        entries = [h for h in history if h[1] == code]
        assert len(entries) == 10
        assert [h[2] for h in entries].count("report") == 1
    assert len(await table_rows(store, "people")) == 37


async def test_one_bad_write_does_not_sink_its_batch(store: Store) -> None:
    def report(code: str, n: int) -> NominationReport:
        return NominationReport(code, "nominated", None, None, person(n), SEPT_20)

    results = await asyncio.gather(
        store.nominations.record(report("B001", 1)),
        store.nominations.record(report("NO-SUCH-BRANCH", 2)),
        store.nominations.record(report("B002", 3)),
        return_exceptions=True,
    )
    assert isinstance(results[1], IntegrityError)
    assert not isinstance(results[0], BaseException)
    assert not isinstance(results[2], BaseException)
    tally = await store.nominations.tally()
    assert tally.nominated == 2


async def test_tally_sees_a_write_that_finished_before_it_was_asked(store: Store) -> None:
    async def report_then_count(n: int) -> int:
        await store.nominations.record(
            NominationReport(BRANCHES[n].code, "nominated", None, None, person(n), SEPT_20)
        )
        return (await store.nominations.tally()).nominated

    counts = await asyncio.gather(*(report_then_count(n) for n in range(50)))
    assert all(count >= 1 for count in counts)
    assert (await store.nominations.tally()).nominated == 50


async def test_unanswered_questions_count_repeats(store: Store) -> None:
    first = await store.questions.record_unanswered(
        "Does Mark like cats?", "candidate like cats", person(1), SEPT_20
    )
    again = await store.questions.record_unanswered(
        "does mark like cats", "candidate like cats", person(2), SEPT_20
    )
    assert first == again
    queue = await store.questions.unanswered()
    assert [(q.text, q.asked_count) for q in queue] == [("Does Mark like cats?", 2)]


async def test_forget_keeps_counts_but_not_the_person(store: Store) -> None:
    alice = person(1)
    await store.people.sign_up(alice, "B001", "consent wording", SEPT_20)
    await store.meetings.record(alice, "B001", date(2019, 9, 30), None, SEPT_20)
    await store.nominations.record(
        NominationReport("B001", "nominated", None, None, alice, SEPT_20)
    )
    before = await store.nominations.tally()
    erased = await store.privacy.forget(alice)
    assert erased.found and erased.volunteer_branch == "B001"
    assert (erased.reports, erased.meetings) == (1, 1)
    assert await store.nominations.tally() == before
    for table in metadata.tables:
        for row in await table_rows(store, table):
            assert "user1" not in row and "User 1" not in row


async def test_the_question_queue_is_bounded(store: Store) -> None:
    from bot.store.questions import OPEN_IN_ALL, OPEN_PER_ASKER

    spammer = person(1)
    kept = [
        await store.questions.record_unanswered(f"question {n}?", f"question {n}", spammer, SEPT_20)
        for n in range(OPEN_PER_ASKER + 5)
    ]
    assert [q.refused for q in kept[:OPEN_PER_ASKER]] == [None] * OPEN_PER_ASKER
    assert {q.refused for q in kept[OPEN_PER_ASKER:]} == {"asker"}
    assert len(await store.questions.unanswered(limit=1000)) == OPEN_PER_ASKER
    # Someone else can still ask, and a repeat of an open question still counts.
    other = await store.questions.record_unanswered("question 0", "question 0", person(2), SEPT_20)
    assert other.question_id == kept[0].question_id
    # Everyone together: at most OPEN_IN_ALL open questions.
    askers = [person(n) for n in range(3, 3 + OPEN_IN_ALL // OPEN_PER_ASKER + 2)]
    results = await asyncio.gather(
        *(
            store.questions.record_unanswered(f"{a.id} asks {n}", f"{a.id} asks {n}", a, SEPT_20)
            for a in askers
            for n in range(OPEN_PER_ASKER)
        )
    )
    assert len(await store.questions.unanswered(limit=5000)) == OPEN_IN_ALL
    assert sum(1 for r in results if r.refused == "queue") == len(results) - (
        OPEN_IN_ALL - OPEN_PER_ASKER
    )
