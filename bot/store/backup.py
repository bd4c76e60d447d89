"""Consistent copies of an SQLite store, with SQLite's online backup API.

The backup reads pages while other connections keep writing; SQLite restarts the copy
if a page it already copied changes, so the result is a consistent snapshot. The copy
is written to a temporary file and moved into place when complete. It goes into a
folder that exists (a mistyped folder is not created), and replaces an existing file
only when asked to.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    pass


def _copy(source: str, file: str, force: bool) -> int:
    if not source or source == ":memory:" or not Path(source).exists():
        raise BackupError(f"no SQLite file at {source or '(none)'}")
    target = Path(file)
    if target.resolve() == Path(source).resolve():
        raise BackupError("the copy must go to a different file")
    if target.is_dir():
        raise BackupError(
            f"{file} is a folder: give the copy a file name, e.g. {target / 'backup.db'}"
        )
    if not target.parent.is_dir():
        raise BackupError(f"there is no folder {target.parent}: create it first")
    if target.exists() and not force:
        raise BackupError(f"{file} already exists: use --force to replace it")
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


async def backup_sqlite(database_url: str, file: str, force: bool = False) -> int:
    """Copy the store at `database_url` to `file` (replacing a file already there only
    with `force`); returns the number of pages copied."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        raise BackupError(
            "only SQLite stores are backed up this way; back up PostgreSQL with pg_dump"
        )
    return await asyncio.to_thread(_copy, url.database or "", file, force)
