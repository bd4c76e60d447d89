"""Requests already handled: a platform that retries (a Slack event redelivered, a command
replayed, a Discord interaction seen twice) gets its request handled once. Keys are kept
for the platforms' retry window and then forgotten; times are wall-clock UTC."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.base import Aggregate, upsert

MOST = 100_000  # keys kept at most, however busy the hour


class Requests(Aggregate):
    async def first_time(self, key: str, at: datetime) -> bool:
        """Record `key`; True the first time it is seen."""

        async def apply(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                upsert(conn, t.request_keys)
                .values(key=key[:200], seen_at=at)
                .on_conflict_do_nothing()
            )
            return bool(result.rowcount)

        return await self.core.write(apply)

    async def forget_before(self, before: datetime) -> int:
        """Forget keys seen before `before`, and the oldest beyond the most kept."""

        async def apply(conn: AsyncConnection) -> int:
            result = await conn.execute(
                delete(t.request_keys).where(t.request_keys.c.seen_at < before)
            )
            held = (await conn.execute(select(func.count()).select_from(t.request_keys))).scalar()
            removed = int(result.rowcount or 0)
            if held and held > MOST:
                cutoff = (
                    select(t.request_keys.c.seen_at)
                    .order_by(t.request_keys.c.seen_at.desc())
                    .offset(MOST)
                    .limit(1)
                    .scalar_subquery()
                )
                extra = await conn.execute(
                    delete(t.request_keys).where(t.request_keys.c.seen_at <= cutoff)
                )
                removed += int(extra.rowcount or 0)
            return removed

        return await self.core.write(apply)
