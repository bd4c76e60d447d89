"""Database back ends for tests: a fresh SQLite file, and a fresh PostgreSQL database.

PostgreSQL cases run when `MOBILISE_TEST_POSTGRES_URL` is set or a server answers on
127.0.0.1:5432 (trust auth, database `test`), and skip with the reason otherwise.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
SKIP_REASON = (
    "PostgreSQL is not available: set MOBILISE_TEST_POSTGRES_URL or run a server on "
    "127.0.0.1:5432 to run the PostgreSQL cases"
)


@cache
def postgres_url() -> str | None:
    if os.environ.get("MOBILISE_TEST_POSTGRES", "").lower() in ("0", "off", "no"):
        return None  # as on a machine without a server
    configured = os.environ.get("MOBILISE_TEST_POSTGRES_URL")
    if configured:
        return configured
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return DEFAULT_POSTGRES
    except OSError:
        return None


@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    base = postgres_url()
    assert base is not None
    admin = create_async_engine(make_url(base), isolation_level="AUTOCOMMIT")
    name = f"mobilise_test_{uuid.uuid4().hex[:12]}"
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def sqlite_file_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"
