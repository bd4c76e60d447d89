"""Reading whole tables, for tests that check what the store holds (erasure, bad input)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.store import Store
from bot.store.schema import metadata


async def table_rows(store: Store, table: str) -> list[tuple[Any, ...]]:
    """Every row of one table."""
    async with store.engine.connect() as conn:
        return [tuple(r) for r in await conn.execute(select(metadata.tables[table]))]
