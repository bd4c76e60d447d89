"""Which process sends the reminders: exactly one per store.

On PostgreSQL the leader holds a session advisory lock on a connection of its own; the
others try for it every few seconds and the first to get it takes over, so a stopped
leader is replaced within one poll. The lock goes with the leader's connection, so a
crashed leader never leaves it held. On SQLite an exclusive lock on a file next to the
database does the same job for one machine; a second process there does not wait, it
says why and runs without reminders.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# pg_advisory_lock key: an arbitrary constant that no other application uses.
LOCK_KEY = 0x6D6F62696C697365  # "mobilise"


class NotLeader(Exception):
    """This process may not send reminders; the message says why."""


class PostgresLeadership:
    def __init__(self, engine: AsyncEngine, poll: float):
        self.engine = engine
        self.poll = poll
        self._conn: AsyncConnection | None = None

    async def acquire(self) -> None:
        """Wait until this process holds the lock."""
        announced = False
        while True:
            try:
                conn = await self.engine.connect()
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                got = (
                    await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY})
                ).scalar()
                if got:
                    self._conn = conn
                    log.info("this process now sends the reminders")
                    return
                await conn.close()
            except Exception as error:  # the database is away: keep trying
                log.warning("could not ask for the reminders lock: %s", type(error).__name__)
            if not announced:
                log.info("another process sends the reminders; standing by")
                announced = True
            await asyncio.sleep(self.poll)

    async def still_held(self) -> bool:
        if self._conn is None:
            return False
        try:
            await self._conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def release(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
            with contextlib.suppress(Exception):
                await self._conn.close()
            self._conn = None


class SqliteLeadership:
    def __init__(self, database: str):
        self.path = Path(f"{database}.reminders.lock")
        self._file: IO[str] | None = None

    async def acquire(self) -> None:
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise NotLeader(
                f"{holder} already sends the reminders for this SQLite store; this one will "
                "answer commands but send no reminders (use PostgreSQL to run several "
                "processes with failover)"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()}")
        handle.flush()
        self._file = handle

    async def still_held(self) -> bool:
        return self._file is not None

    async def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None


Leadership = PostgresLeadership | SqliteLeadership


def leadership_for(engine: AsyncEngine, poll: float) -> Leadership:
    url = make_url(str(engine.url))
    if url.get_backend_name() == "postgresql":
        return PostgresLeadership(engine, poll)
    return SqliteLeadership(url.database or "mobilise.db")


@contextlib.asynccontextmanager
async def leading(leadership: Leadership) -> AsyncIterator[None]:
    await leadership.acquire()
    try:
        yield
    finally:
        await leadership.release()
