"""What every part of the store shares: the engine, the write queue, and read helpers.

Writes go through the group-commit queue; reads run on pooled connections, and
identical reads that overlap share one query as long as no write has committed since it
started. SQL is always parameterised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, FromClause, case, func, select, text, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.campaign.domain import User
from bot.store import schema as t
from bot.store.engine import prepare_writer
from bot.store.writer import BatchFn, WriteQueue

T = TypeVar("T")
P = TypeVar("P")

Reader = Callable[[AsyncConnection], Awaitable[T]]


class StoreCore:
    """The engine, the write queue and the shared-read table, for every aggregate."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self.generation = 0  # write transactions finished (committed or not)
        self._inflight: dict[str, tuple[int, asyncio.Future[Any]]] = {}
        self._writes = WriteQueue(engine, prepare=prepare_writer, on_commit=self._committed)

    def _committed(self) -> None:
        self.generation += 1

    async def close(self) -> None:
        """Let the reads shared in flight and the queued writes finish first: a read
        left running would touch a connection the engine is about to close."""
        reads = [future for _, future in self._inflight.values()]
        if reads:
            await asyncio.gather(*reads, return_exceptions=True)
        await self._writes.close()

    async def read(self, fn: Reader[T]) -> T:
        async with self.engine.connect() as conn:
            return await fn(conn)

    async def shared_read(self, key: str, fn: Reader[T]) -> T:
        """Run `fn`, or join an identical read that started after the latest commit."""
        entry = self._inflight.get(key)
        if entry is not None and entry[0] == self.generation and not entry[1].done():
            return await asyncio.shield(entry[1])
        future: asyncio.Future[T] = asyncio.ensure_future(self.read(fn))
        self._inflight[key] = (self.generation, future)

        def _forget(done: asyncio.Future[Any]) -> None:
            if self._inflight.get(key, (0, None))[1] is done:
                del self._inflight[key]

        future.add_done_callback(_forget)
        return await asyncio.shield(future)

    async def write(self, fn: Reader[T]) -> T:
        """Run `fn` in the next write transaction."""
        return await self._writes.submit(_run_each, fn)

    async def batch(self, apply: BatchFn[P, T], payload: P) -> T:
        """Queue `payload` for `apply`, which writes many payloads at once."""
        return await self._writes.submit(apply, payload)


class Aggregate:
    """One part of the store: a few related tables and the methods that change them."""

    def __init__(self, core: StoreCore):
        self.core = core


async def _run_each(conn: AsyncConnection, fns: Sequence[Reader[Any]]) -> list[Any]:
    return [await fn(conn) for fn in fns]


def upsert(conn: AsyncConnection, table: Any) -> Any:
    """The backend's INSERT, which knows ON CONFLICT."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def serialise(conn: AsyncConnection, what: str) -> None:
    """Hold off other processes' writes to `what` until this transaction ends.

    SQLite's BEGIN IMMEDIATE already gives the writer the whole file; on PostgreSQL a
    transaction-scoped advisory lock does it for the one aggregate.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:what))"), {"what": what})


async def count(conn: AsyncConnection, table: FromClause, where: ColumnElement[bool]) -> int:
    return int(
        (await conn.execute(select(func.count()).select_from(table).where(where))).scalar_one()
    )


async def person_ids(conn: AsyncConnection, users: Iterable[User], at: datetime) -> dict[str, int]:
    """Create or refresh people rows for `users`; map each user key to its row id."""
    latest = {user.key: user for user in users}
    if not latest:
        return {}
    values = [
        {
            "platform": u.platform,
            "platform_user_id": u.id,
            "display_name": u.display_name,
            "created_at": at,
        }
        for u in latest.values()
    ]
    stmt = upsert(conn, t.people)
    # A message gives only the user id: a name or handle learnt from a command is kept,
    # so erasure can still find it wherever the person typed it.
    bare_id = stmt.excluded.display_name == stmt.excluded.platform_user_id
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.people.c.platform, t.people.c.platform_user_id],
        set_={
            "display_name": case(
                (bare_id, t.people.c.display_name), else_=stmt.excluded.display_name
            )
        },
    )
    await conn.execute(stmt, values)
    rows = await conn.execute(
        select(t.people.c.id, t.people.c.platform, t.people.c.platform_user_id).where(
            tuple_(t.people.c.platform, t.people.c.platform_user_id).in_(
                [(u.platform, u.id) for u in latest.values()]
            )
        )
    )
    return {f"{row.platform}:{row.platform_user_id}": row.id for row in rows}


async def person_id(conn: AsyncConnection, user: User, at: datetime) -> int:
    return (await person_ids(conn, [user], at))[user.key]


async def find_person(conn: AsyncConnection, user: User) -> int | None:
    return (
        await conn.execute(
            select(t.people.c.id).where(
                t.people.c.platform == user.platform, t.people.c.platform_user_id == user.id
            )
        )
    ).scalar_one_or_none()


reporter = t.people.alias("reporter")
verifier = t.people.alias("verifier")

_LAST_REPORT = (
    select(t.meetings.c.branch_code, func.max(t.meetings.c.id).label("id"))
    .group_by(t.meetings.c.branch_code)
    .subquery()
)
_last = t.meetings.alias("last_report")
# Each branch's meeting: its latest report, unless that report cancelled it.
LATEST_MEETING = (
    select(_LAST_REPORT.c.branch_code, _LAST_REPORT.c.id)
    .select_from(_LAST_REPORT.join(_last, _last.c.id == _LAST_REPORT.c.id))
    .where(_last.c.cancelled.is_(False))
    .subquery()
)
