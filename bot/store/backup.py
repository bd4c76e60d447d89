"""Consistent copies of an SQLite store, with SQLite's online backup API.

The backup reads pages while other connections keep writing; SQLite restarts the copy
if a page it already copied changes, so the result is a consistent snapshot. The copy
is written to a temporary file and moved into place when complete.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def _copy(source: str, file: str) -> int:
    if not source or source == ":memory:" or not Path(source).exists():
        raise BackupError(f"no SQLite file at {source or '(none)'}")
    target = Path(file)
    if target.resolve() == Path(source).resolve():
        raise BackupError("the copy must go to a different file")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst, pages=256, sleep=0.005)
            pages = int(dst.execute("PRAGMA page_count").fetchone()[0])
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    os.replace(partial, target)
    return pages


async def backup_sqlite(database_url: str, file: str) -> int:
    """Copy the store at `database_url` to `file`; returns the number of pages copied."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "only SQLite stores are backed up this way; back up PostgreSQL with pg_dump"
        )
    return await asyncio.to_thread(_copy, url.database or "", file)
