"""Leases: one process at a time holds a named lease (sending the reminders), until it
expires; a holder that dies simply stops renewing it. Times are wall-clock UTC, never the
campaign's (possibly simulated) clock.

Each lease has an epoch, the fencing token: it goes up whenever the lease is taken
afresh, by another process or by the same one after it ran out (a process paused past
its lease). A holder's side effects are written only while its epoch is the current one
(`DeliveryLog.mark_sending`), so a process that lost the lease, even for a moment, can
no longer act on it. A released lease keeps its row, expired, so epochs never repeat.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.base import Aggregate, upsert


class Leases(Aggregate):
    async def take(self, name: str, owner: str, until: datetime, now: datetime) -> tuple[str, int]:
        """Take or renew `name` for `owner` until `until`, if it is free, expired or
        already `owner`'s; return whoever holds it afterwards, and its epoch."""

        async def apply(conn: AsyncConnection) -> tuple[str, int]:
            await conn.execute(
                upsert(conn, t.leases)
                .values(name=name, owner=owner, expires_at=until, epoch=1)
                .on_conflict_do_nothing()
            )
            leases = t.leases.c
            renewing = and_(leases.owner == owner, leases.expires_at >= now)
            await conn.execute(
                update(t.leases)
                .where(leases.name == name, or_(leases.owner == owner, leases.expires_at < now))
                .values(
                    owner=owner,
                    expires_at=until,
                    epoch=case((renewing, leases.epoch), else_=leases.epoch + 1),
                )
            )
            row = (
                await conn.execute(select(leases.owner, leases.epoch).where(leases.name == name))
            ).one()
            return str(row.owner), int(row.epoch)

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

    async def release(self, name: str, owner: str, now: datetime) -> None:
        """`owner` gives the lease back: it is left expired, for anyone to take."""

        async def apply(conn: AsyncConnection) -> None:
            await conn.execute(
                update(t.leases)
                .where(t.leases.c.name == name, t.leases.c.owner == owner)
                .values(expires_at=now - timedelta(seconds=1))
            )

        await self.core.write(apply)
