"""Live progress boards: which channels show one, and the message the bot edits there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store import schema as t
from bot.store.base import Aggregate, upsert


@dataclass(frozen=True, slots=True)
class Board:
    platform: str
    channel_id: str
    message_id: str | None


class Boards(Aggregate):
    async def place(self, platform: str, channel_id: str, at: datetime) -> bool:
        """Put a board in a channel (its message is posted next); False if one is there."""

        async def apply(conn: AsyncConnection) -> bool:
            stmt = upsert(conn, t.boards).values(
                platform=platform, channel_id=channel_id, message_id=None, created_at=at
            )
            result = await conn.execute(stmt.on_conflict_do_nothing())
            return bool(result.rowcount)

        return await self.core.write(apply)

    async def all(self, platform: str) -> list[Board]:
        async def read(conn: AsyncConnection) -> list[Board]:
            rows = await conn.execute(
                select(t.boards.c.platform, t.boards.c.channel_id, t.boards.c.message_id)
                .where(t.boards.c.platform == platform)
                .order_by(t.boards.c.created_at)
            )
            return [Board(r.platform, r.channel_id, r.message_id) for r in rows]

        return await self.core.read(read)

    async def posted(self, platform: str, channel_id: str, message_id: str | None) -> None:
        """Remember the board's message (None: post a new one next time)."""

        async def apply(conn: AsyncConnection) -> None:
            await conn.execute(
                update(t.boards)
                .where(t.boards.c.platform == platform, t.boards.c.channel_id == channel_id)
                .values(message_id=message_id)
            )

        await self.core.write(apply)

    async def remove(self, platform: str, channel_id: str) -> bool:
        async def apply(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                t.boards.delete().where(
                    t.boards.c.platform == platform, t.boards.c.channel_id == channel_id
                )
            )
            return bool(result.rowcount)

        return await self.core.write(apply)
