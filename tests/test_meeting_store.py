"""Meetings in the store: the migration that made them calendar entries numbers the
reports already made, and changes from two processes at once are numbered once each."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, time

from sqlalchemy import text

from bot.campaign.domain import User
from bot.store import Store
from bot.store.engine import HEAD, migrate
from tests.conftest import SEPT_20


async def test_the_migration_numbers_the_meetings_already_reported(database_url: str) -> None:
    """Reports made before meetings were calendar entries: each branch's become one
    meeting, numbered in the order they were made, with the pack's time and place."""
    store = await Store.open(database_url, migrate_schema=False)
    stored_at = SEPT_20.astimezone(UTC).replace(tzinfo=None)  # as the store keeps times
    try:
        await migrate(store.engine, "0010")
        async with store.engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO branches (code, name, updated_at) VALUES "
                    "('A', 'Branch A', :at), ('B', 'Branch B', :at)"
                ),
                {"at": stored_at},
            )
            for code, day in (("A", 1), ("B", 2), ("A", 3)):
                await conn.execute(
                    text(
                        "INSERT INTO meetings (branch_code, meeting_date, platform, reported_at)"
                        " VALUES (:code, :day, 'console', :at)"
                    ),
                    {"code": code, "day": date(2019, 10, day), "at": stored_at},
                )
        await migrate(store.engine)
        async with store.engine.connect() as conn:
            assert (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalar() == HEAD
        a = await store.meetings.of_branch("A")
        b = await store.meetings.of_branch("B")
        assert [m.sequence for m in a] == [0, 1] and [m.sequence for m in b] == [0]
        assert a[0].uid == a[1].uid and a[0].uid != b[0].uid
        assert all(m.meeting_time is None and m.place is None for m in (*a, *b))
        assert not any(m.cancelled for m in (*a, *b))
    finally:
        await store.close()


async def test_changes_from_two_processes_are_numbered_once_each(database_url: str) -> None:
    """Two bot processes on one store change the same meeting at once: every change gets
    its own SEQUENCE, all under the one UID."""
    first = await Store.open(database_url)
    second = await Store.open(database_url)
    try:
        async with first.engine.begin() as conn:
            await conn.execute(
                text("INSERT INTO branches (code, name, updated_at) VALUES ('A', 'A', :at)"),
                {"at": SEPT_20.astimezone(UTC).replace(tzinfo=None)},
            )
        people = [User("console", f"user{n}", f"User {n}") for n in range(8)]
        await asyncio.gather(
            *(
                (first if n % 2 else second).meetings.record(
                    person, "A", date(2019, 10, 1 + n), None, SEPT_20, time(12, 30), f"Room {n}"
                )
                for n, person in enumerate(people)
            )
        )
        reports = await first.meetings.of_branch("A")
        assert sorted(m.sequence for m in reports) == list(range(8))
        assert len({m.uid for m in reports}) == 1
    finally:
        await first.close()
        await second.close()
