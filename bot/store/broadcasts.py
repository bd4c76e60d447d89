"""Organisers' one-off messages to a segment (/broadcast).

A broadcast is written as a draft when its preview is shown, confirmed (or cancelled)
by a button, and sent by the reminder sweep: each person's copy is a delivery record
keyed by (rule, person, broadcast id), so it goes exactly once. Every change of status
is a single write that compares the status it expects, so a cancellation and the sweep
starting to send can never both win. Only the text, the segment, who wrote it and its
status are kept; a name typed in the text is blanked by an erasure, and the purge
deletes every broadcast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import User
from bot.store import schema as t
from bot.store.base import Aggregate, person_id

RULE = "broadcast"  # the delivery log's rule for every broadcast's messages
WAITING = ("draft", "confirmed")  # what can still be confirmed or cancelled
UNFINISHED = ("pending", "sending")
# Confirmed broadcasts whose time has come, and those being sent: read at every sweep, so
# built once.
_DUE = (
    select(t.broadcasts)
    .where(
        t.broadcasts.c.status.in_(["confirmed", "sending"]),
        t.broadcasts.c.go_at <= bindparam("now"),
    )
    .order_by(t.broadcasts.c.id)
)


@dataclass(frozen=True, slots=True)
class BroadcastRecord:
    id: int
    text: str
    segment: str  # JSON: the filters, by name
    status: str  # draft | confirmed | sending | sent | cancelled
    created_at: datetime
    confirmed_at: datetime | None
    go_at: datetime | None
    finished_at: datetime | None


def _record(row: Row[Any]) -> BroadcastRecord:
    return BroadcastRecord(
        id=row.id,
        text=row.text,
        segment=row.segment,
        status=row.status,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        go_at=row.go_at,
        finished_at=row.finished_at,
    )


async def _get(conn: AsyncConnection, number: int) -> BroadcastRecord | None:
    row = (await conn.execute(select(t.broadcasts).where(t.broadcasts.c.id == number))).first()
    return _record(row) if row is not None else None


class Broadcasts(Aggregate):
    async def create(self, user: User, text: str, segment: str, at: datetime) -> int:
        """A draft, waiting to be confirmed; its number."""

        async def apply(conn: AsyncConnection) -> int:
            author = await person_id(conn, user, at)
            result = await conn.execute(
                t.broadcasts.insert().values(
                    text=text, segment=segment, created_by=author, created_at=at, status="draft"
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

        return await self.core.write(apply)

    async def get(self, number: int) -> BroadcastRecord | None:
        async def read(conn: AsyncConnection) -> BroadcastRecord | None:
            return await _get(conn, number)

        return await self.core.read(read)

    async def _move(
        self, number: int, frm: Sequence[str], to: str, values: dict[str, Any]
    ) -> tuple[bool, BroadcastRecord | None]:
        """Status `frm` → `to` in one compare-and-set write: whether it moved, and the
        broadcast as it now stands (None if there is no such broadcast)."""

        async def apply(conn: AsyncConnection) -> tuple[bool, BroadcastRecord | None]:
            result = await conn.execute(
                update(t.broadcasts)
                .where(t.broadcasts.c.id == number, t.broadcasts.c.status.in_(list(frm)))
                .values(status=to, **values)
            )
            return bool(result.rowcount), await _get(conn, number)

        return await self.core.write(apply)

    async def confirm(
        self, number: int, at: datetime, go_at: datetime
    ) -> tuple[bool, BroadcastRecord | None]:
        return await self._move(
            number, ("draft",), "confirmed", {"confirmed_at": at, "go_at": go_at}
        )

    async def cancel(self, number: int, at: datetime) -> tuple[bool, BroadcastRecord | None]:
        return await self._move(number, WAITING, "cancelled", {"finished_at": at})

    async def start(self, number: int) -> bool:
        """The sweep begins sending it: from now on it cannot be cancelled."""
        moved, _ = await self._move(number, ("confirmed",), "sending", {})
        return moved

    async def finish(self, number: int, at: datetime) -> bool:
        moved, _ = await self._move(number, ("sending",), "sent", {"finished_at": at})
        return moved

    async def due(self, now: datetime) -> list[BroadcastRecord]:
        """Confirmed broadcasts whose time has come, and those being sent, oldest first."""

        async def read(conn: AsyncConnection) -> list[BroadcastRecord]:
            return [_record(r) for r in await conn.execute(_DUE, {"now": now})]

        return await self.core.read(read)

    async def waiting(self) -> list[BroadcastRecord]:
        """Drafts, confirmed ones and those being sent, oldest first."""

        async def read(conn: AsyncConnection) -> list[BroadcastRecord]:
            b = t.broadcasts.c
            rows = await conn.execute(
                select(t.broadcasts)
                .where(b.status.in_(["draft", "confirmed", "sending"]))
                .order_by(b.id)
            )
            return [_record(r) for r in rows]

        return await self.core.read(read)

    async def unfinished(self, number: int) -> int:
        """How many of its messages are claimed and not yet settled."""

        async def read(conn: AsyncConnection) -> int:
            d = t.deliveries.c
            return int(
                (
                    await conn.execute(
                        select(func.count())
                        .select_from(t.deliveries)
                        .where(
                            d.rule_id == RULE,
                            d.occurrence == str(number),
                            d.status.in_(UNFINISHED),
                        )
                    )
                ).scalar_one()
            )

        return await self.core.read(read)
