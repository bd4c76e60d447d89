"""Dashboard sign-in links: each link's nonce is recorded when it is used, so it opens one
session only. Nothing personal is kept here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.base import Aggregate, upsert


class SignIns(Aggregate):
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
