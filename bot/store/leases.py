"""Leases: one process at a time holds a named lease (sending the reminders), until it
expires; a holder that dies simply stops renewing it. Times are wall-clock UTC, never the
campaign's (possibly simulated) clock."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.base import Aggregate, upsert


class Leases(Aggregate):
    async def take(self, name: str, owner: str, until: datetime, now: datetime) -> str:
        """Take or renew `name` for `owner` until `until`, if it is free, expired or
        already `owner`'s; return whoever holds it afterwards."""

        async def apply(conn: AsyncConnection) -> str:
            await conn.execute(
                upsert(conn, t.leases)
                .values(name=name, owner=owner, expires_at=until)
                .on_conflict_do_nothing()
            )
            await conn.execute(
                update(t.leases)
                .where(
                    t.leases.c.name == name,
                    or_(t.leases.c.owner == owner, t.leases.c.expires_at < now),
                )
                .values(owner=owner, expires_at=until)
            )
            holder = await conn.execute(select(t.leases.c.owner).where(t.leases.c.name == name))
            return str(holder.scalar_one())

        return await self.core.write(apply)

    async def holder(self, name: str) -> tuple[str, datetime] | None:
        async def read(conn: AsyncConnection) -> tuple[str, datetime] | None:
            row = (
                await conn.execute(
                    select(t.leases.c.owner, t.leases.c.expires_at).where(t.leases.c.name == name)
                )
            ).first()
            return (row.owner, row.expires_at) if row else None

        return await self.core.read(read)

    async def release(self, name: str, owner: str) -> None:
        async def apply(conn: AsyncConnection) -> None:
            await conn.execute(
                delete(t.leases).where(t.leases.c.name == name, t.leases.c.owner == owner)
            )

        await self.core.write(apply)
