"""Group commit: every write goes through one queue and one transaction at a time.

SQLite allows one writer, and a commit costs far more than a statement, so writes that
arrive while a transaction is running are applied together in the next one. Each kind
of write supplies a batch function that applies many payloads at once (for the hot
paths, with multi-row statements). If a batch fails, its writes are retried one by
one in their own transactions, so one bad write cannot sink the others. A database
locked by another process (SQLite's one writer, beyond its busy timeout) is waited for,
up to `LOCK_PATIENCE`: the writes go in once the lock clears.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

P = TypeVar("P")
R = TypeVar("R")

BatchFn = Callable[[AsyncConnection, Sequence[P]], Awaitable[Sequence[R]]]

LOCK_PATIENCE = 60.0  # seconds a write waits for a database another process has locked


def _locked(error: BaseException) -> bool:
    """SQLite's "database is locked" (or busy): another process holds the write lock."""
    text = str(getattr(error, "orig", None) or error).lower()
    return isinstance(error, OperationalError) and ("locked" in text or "busy" in text)


@dataclass(slots=True)
class _Pending(Generic[P, R]):
    apply: BatchFn[P, R]
    payload: P
    future: asyncio.Future[R]


class WriteQueue:
    """Serialises writes on one connection and commits them in groups."""

    def __init__(
        self,
        engine: AsyncEngine,
        prepare: Callable[[AsyncConnection], Awaitable[None]] | None = None,
        on_commit: Callable[[], None] | None = None,
        max_batch: int = 500,
    ):
        self._engine = engine
        self._prepare = prepare
        self._on_commit = on_commit
        self._max_batch = max_batch
        self._queue: list[_Pending[Any, Any]] = []
        self._task: asyncio.Task[None] | None = None
        self._conn: AsyncConnection | None = None

    async def submit(self, apply: BatchFn[P, R], payload: P) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        future.add_done_callback(_outcome_seen)
        self._queue.append(_Pending(apply, payload, future))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain(), name="mobilise-writer")
        return await asyncio.shield(future)

    async def close(self) -> None:
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        if self._conn is not None:
            conn, self._conn = self._conn, None
            try:
                await conn.close()
            except Exception as error:  # the database failed under it (a full disk, say)
                log.debug("closing the writer's connection failed: %s", type(error).__name__)

    async def _connection(self) -> AsyncConnection:
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = await self._engine.connect()
            if self._prepare is not None:
                await self._prepare(self._conn)
        return self._conn

    async def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self._max_batch], self._queue[self._max_batch :]
            try:
                results = await self._patiently(batch)
            except Exception:
                log.debug("batch of %d writes failed; retrying one by one", len(batch))
                await self._one_by_one(batch)
            else:
                for item, result in zip(batch, results, strict=True):
                    if not item.future.done():
                        item.future.set_result(result)
            if self._on_commit is not None:
                self._on_commit()

    async def _patiently(self, batch: Sequence[_Pending[Any, Any]]) -> list[Any]:
        """The batch's transaction, tried again while another process holds the lock."""
        deadline = time.monotonic() + LOCK_PATIENCE
        while True:
            try:
                return await self._transaction(batch)
            except OperationalError as error:
                if not _locked(error) or time.monotonic() >= deadline:
                    raise
                log.info("the database is locked by another process; waiting")
                await asyncio.sleep(0.1)

    async def _transaction(self, batch: Sequence[_Pending[Any, Any]]) -> list[Any]:
        conn = await self._connection()
        try:
            async with conn.begin():
                results: list[Any] = []
                start = 0
                while start < len(batch):
                    end = start
                    while end < len(batch) and batch[end].apply is batch[start].apply:
                        end += 1
                    group = batch[start:end]
                    out = await group[0].apply(conn, [item.payload for item in group])
                    if len(out) != len(group):
                        raise RuntimeError("a batch function returned the wrong number of results")
                    results.extend(out)
                    start = end
                return results
        except BaseException:
            if conn.invalidated:
                self._conn = None
            raise

    async def _one_by_one(self, batch: Sequence[_Pending[Any, Any]]) -> None:
        for item in batch:
            try:
                (result,) = await self._transaction([item])
            except Exception as exc:
                if not item.future.done():
                    item.future.set_exception(exc)
            else:
                if not item.future.done():
                    item.future.set_result(result)


def _outcome_seen(future: asyncio.Future[Any]) -> None:
    """A write whose caller was cancelled while it waited (the write is shielded, so it
    still finishes) has nobody to hear how it went: its error is not reported again at
    exit as "never retrieved"; the callers still waiting get it as usual."""
    if not future.cancelled():
        future.exception()
