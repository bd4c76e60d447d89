"""Dashboard sign-in links: each link's nonce is recorded when it is used, so it opens one
session only. Nothing personal is kept here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.base import Aggregate, upsert


class SignIns(Aggregate):
    async def used(self, nonce: str) -> bool:
        """Whether a link's nonce has been used (reading only: opening a link's page, as a
        chat app's link preview does, uses nothing)."""

        async def read(conn: AsyncConnection) -> bool:
            found = await conn.execute(
                select(t.dashboard_links.c.nonce).where(t.dashboard_links.c.nonce == nonce[:64])
            )
            return found.first() is not None

        return await self.core.read(read)

    async def use(self, nonce: str, expires_at: datetime, at: datetime) -> bool:
        """Record a link's nonce as used: True the first time, False ever after. Nonces
        of links long expired are forgotten on the way (a link past its expiry is refused
        on its expiry alone)."""

        async def apply(conn: AsyncConnection) -> bool:
            await conn.execute(delete(t.dashboard_links).where(t.dashboard_links.c.expires_at < at))
            result = await conn.execute(
                upsert(conn, t.dashboard_links)
                .values(nonce=nonce[:64], used_at=at, expires_at=expires_at)
                .on_conflict_do_nothing(index_elements=[t.dashboard_links.c.nonce])
            )
            return bool(result.rowcount == 1)

        return await self.core.write(apply)
