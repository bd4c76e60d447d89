"""The delivery log: every reminder's key and outcome, broadcast channels, and what the
planner needs to know of each volunteer.

A message is claimed (recorded as pending) before it is sent and finished after. The
unique key (rule, recipient, occurrence) is what stops a second send, on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, or_, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import User
from bot.campaign.records import BroadcastChannel, Delivery, DeliveryClaim, PlanVolunteer
from bot.store import schema as t
from bot.store.base import Aggregate, person_id, upsert
from bot.store.plan import PLAN_ROWS

UNFINISHED = ("pending", "sending")

# What every sweep runs, built once (building a statement anew costs more than running
# it on a small log): how far the last sweep got, setting it (per backend: each has its
# own upsert), and giving up on what is still pending after the catch-up window.
_STATE = select(t.scheduler_state.c.value).where(t.scheduler_state.c.key == bindparam("key"))
_SET_STATE: dict[str, Any] = {}
_GIVE_UP = (
    update(t.deliveries)
    .where(t.deliveries.c.status == "pending", t.deliveries.c.due_at < bindparam("before"))
    .values(
        status="failed",
        detail="gave up: still failing after the catch-up window",
        updated_at=bindparam("at"),
    )
)


@dataclass(frozen=True, slots=True)
class Owner:
    """A sender: its name (who, where), in wall-clock time until when it holds, and the
    lease it holds with that lease's epoch (the fencing token)."""

    name: str
    until: datetime
    now: datetime
    epoch: int = 0
    lease: str = "reminders"


@dataclass(frozen=True, slots=True)
class _Finish:
    delivery_id: int
    status: str
    at: datetime
    detail: str | None
    ref: str | None


def delivery_from(row: Row[Any]) -> Delivery:
    return Delivery(
        id=row.id,
        rule_id=row.rule_id,
        recipient=row.recipient,
        occurrence=row.occurrence,
        audience=row.audience,
        platform=row.platform,
        person_id=row.person_id,
        branch_code=row.branch_code,
        due_at=row.due_at,
        status=row.status,
        attempts=row.attempts,
        nonce=row.nonce,
        detail=row.detail,
        message_ref=row.message_ref,
        created_at=row.created_at,
        updated_at=row.updated_at,
        claimed_by=row.claimed_by,
        claim_expires_at=row.claim_expires_at,
        variant=row.variant,
    )


class DeliveryLog(Aggregate):
    async def plan_rows(self) -> tuple[list[PlanVolunteer], list[BroadcastChannel]]:
        """Every volunteer with their branch's state, and the broadcast channels: what
        the planner plans from, in one read (of only the columns it needs: at 10,000
        volunteers it is read at every sweep)."""

        async def read(conn: AsyncConnection) -> tuple[list[PlanVolunteer], list[BroadcastChannel]]:
            volunteers = [  # PLAN_ROWS's columns are in PlanVolunteer's order
                PlanVolunteer(
                    r[0],
                    r[1],
                    r[2],
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    bool(r[7]),
                    r[8],
                    bool(r[9]),
                    r[10],
                    bool(r[11]),
                    bool(r[12]),
                    r[13],
                    bool(r[14]),
                )
                for r in await conn.execute(PLAN_ROWS)
            ]
            return volunteers, await _channels(conn)

        return await self.core.read(read)

    async def subscribe(
        self, platform: str, channel_id: str, user: User, at: datetime, on: bool = True
    ) -> bool:
        """Start (or stop) broadcasts to a channel; False if nothing changed."""

        async def apply(conn: AsyncConnection) -> bool:
            if not on:
                result = await conn.execute(
                    delete(t.broadcast_channels).where(
                        t.broadcast_channels.c.platform == platform,
                        t.broadcast_channels.c.channel_id == channel_id,
                    )
                )
                return bool(result.rowcount)
            person = await person_id(conn, user, at)
            stmt = upsert(conn, t.broadcast_channels).values(
                platform=platform, channel_id=channel_id, subscribed_by=person, subscribed_at=at
            )
            result = await conn.execute(stmt.on_conflict_do_nothing())
            return bool(result.rowcount)

        return await self.core.write(apply)

    async def claim(
        self, items: Sequence[DeliveryClaim], owner: Owner, at: datetime
    ) -> list[Delivery]:
        """Record each message before it is sent, claimed by `owner`; return each record.

        A message already recorded keeps its status. It passes to `owner` only if nobody
        holds it, `owner` already does, or its holder's claim has expired; a claim by a
        live owner is never handed on.
        """
        return await self.core.batch(_apply_claims, (list(items), owner, at))

    async def mark_sending(self, delivery_id: int, owner: Owner, at: datetime) -> bool:
        """Record, durably, that `owner` is about to send the message; False if the
        message is no longer `owner`'s to send, or `owner` no longer holds its lease
        under the same epoch (compared in this same write: the fence)."""
        return await self.core.batch(_apply_sending, (delivery_id, owner, at))

    async def finish(
        self,
        delivery_id: int,
        status: str,
        at: datetime,
        detail: str | None = None,
        ref: str | None = None,
    ) -> None:
        await self.core.batch(_apply_finishes, _Finish(delivery_id, status, at, detail, ref))

    async def extend_claims(self, owner: Owner) -> int:
        """Keep `owner`'s unfinished claims alive while it still holds the lease."""

        async def apply(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(t.deliveries)
                .where(
                    t.deliveries.c.claimed_by == owner.name,
                    t.deliveries.c.status.in_(UNFINISHED),
                )
                .values(claim_expires_at=owner.until)
            )
            return int(result.rowcount or 0)

        return await self.core.write(apply)

    async def release_claims(self, owner: str) -> int:
        """`owner` stops: its claims on messages it has not started sending go back."""

        async def apply(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(t.deliveries)
                .where(t.deliveries.c.claimed_by == owner, t.deliveries.c.status == "pending")
                .values(claimed_by=None, claim_expires_at=None)
            )
            return int(result.rowcount or 0)

        return await self.core.write(apply)

    async def end_sweep(self, before: datetime, at: datetime, key: str, value: str) -> int:
        """At a sweep's end, in one write: messages never sent and still pending after
        their catch-up window are failed (how many is returned), and `key` is set."""

        async def apply(conn: AsyncConnection) -> int:
            result = await conn.execute(_GIVE_UP, {"before": before, "at": at})
            await _set_state(conn, key, value)
            return int(result.rowcount or 0)

        return await self.core.write(apply)

    async def sent_to_on(
        self, recipients: Sequence[str], start: datetime, end: datetime
    ) -> dict[str, int]:
        """How many messages due in [start, end) were sent to each of `recipients` (those
        sent none are left out)."""

        async def read(conn: AsyncConnection) -> dict[str, int]:
            rows = await conn.execute(
                select(t.deliveries.c.recipient, func.count().label("n"))
                .where(
                    t.deliveries.c.recipient.in_(list(recipients)),
                    t.deliveries.c.status == "sent",
                    t.deliveries.c.due_at >= start,
                    t.deliveries.c.due_at < end,
                )
                .group_by(t.deliveries.c.recipient)
            )
            return {row.recipient: int(row.n) for row in rows}

        return await self.core.read(read)

    async def all(self, status: str | None = None) -> list[Delivery]:
        async def read(conn: AsyncConnection) -> list[Delivery]:
            query = select(t.deliveries).order_by(t.deliveries.c.id)
            if status is not None:
                query = query.where(t.deliveries.c.status == status)
            return [delivery_from(r) for r in await conn.execute(query)]

        return await self.core.read(read)

    async def state_value(self, key: str) -> str | None:
        async def read(conn: AsyncConnection) -> str | None:
            return (await conn.execute(_STATE, {"key": key})).scalar_one_or_none()

        return await self.core.read(read)

    async def set_state_value(self, key: str, value: str) -> None:
        async def apply(conn: AsyncConnection) -> None:
            await _set_state(conn, key, value)

        await self.core.write(apply)


async def _set_state(conn: AsyncConnection, key: str, value: str) -> None:
    stmt = _SET_STATE.get(conn.dialect.name)
    if stmt is None:
        insert = upsert(conn, t.scheduler_state)
        stmt = _SET_STATE[conn.dialect.name] = insert.on_conflict_do_update(
            index_elements=[t.scheduler_state.c.key], set_={"value": insert.excluded.value}
        )
    await conn.execute(stmt, {"key": key, "value": value})


async def _channels(conn: AsyncConnection) -> list[BroadcastChannel]:
    rows = await conn.execute(select(t.broadcast_channels))
    return [BroadcastChannel(r.platform, r.channel_id, r.subscribed_at) for r in rows]


async def _apply_sending(
    conn: AsyncConnection, marks: Sequence[tuple[int, Owner, datetime]]
) -> list[bool]:
    results = []
    wall = datetime.now(UTC)  # the lease's own clock, not the campaign's
    for delivery_id, owner, at in marks:
        holding = (
            select(t.leases.c.name)
            .where(
                t.leases.c.name == owner.lease,
                t.leases.c.owner == owner.name,
                t.leases.c.epoch == owner.epoch,
                t.leases.c.expires_at > wall,
            )
            .exists()
        )
        result = await conn.execute(
            update(t.deliveries)
            .where(
                t.deliveries.c.id == delivery_id,
                t.deliveries.c.claimed_by == owner.name,
                t.deliveries.c.status.in_(UNFINISHED),
                holding,
            )
            .values(status="sending", updated_at=at, attempts=t.deliveries.c.attempts + 1)
        )
        results.append(bool(result.rowcount))
    return results


async def _apply_finishes(conn: AsyncConnection, finishes: Sequence[_Finish]) -> list[None]:
    await conn.execute(
        update(t.deliveries)
        .where(t.deliveries.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            updated_at=bindparam("b_at", type_=t.UTCDateTime()),
            detail=bindparam("b_detail"),
            message_ref=bindparam("b_ref"),
            claim_expires_at=None,
        ),
        [
            {
                "b_id": f.delivery_id,
                "b_status": f.status,
                "b_at": f.at,
                "b_detail": f.detail,
                "b_ref": f.ref,
            }
            for f in finishes
        ],
    )
    return [None] * len(finishes)


async def _apply_claims(
    conn: AsyncConnection, batches: Sequence[tuple[list[DeliveryClaim], Owner, datetime]]
) -> list[list[Delivery]]:
    results: list[list[Delivery]] = []
    for items, owner, at in batches:
        if not items:
            results.append([])
            continue
        stmt = upsert(conn, t.deliveries).on_conflict_do_nothing(
            index_elements=[
                t.deliveries.c.rule_id,
                t.deliveries.c.recipient,
                t.deliveries.c.occurrence,
            ]
        )
        unfinished = [i for i in items if i.status in UNFINISHED]
        await conn.execute(
            stmt,
            [
                {
                    "rule_id": i.rule_id,
                    "recipient": i.recipient,
                    "occurrence": i.occurrence,
                    "audience": i.audience,
                    "platform": i.platform,
                    "person_id": i.person_id,
                    "branch_code": i.branch_code,
                    "due_at": i.due_at,
                    "status": i.status,
                    "attempts": 0,
                    "nonce": i.nonce,
                    "detail": i.detail,
                    "variant": i.variant,
                    "created_at": at,
                    "updated_at": at,
                    "claimed_by": owner.name if i.status in UNFINISHED else None,
                    "claim_expires_at": owner.until if i.status in UNFINISHED else None,
                }
                for i in items
            ],
        )
        key = tuple_(t.deliveries.c.rule_id, t.deliveries.c.recipient, t.deliveries.c.occurrence)
        if unfinished:
            # Take over what nobody holds any more: a claim that has run out.
            await conn.execute(
                update(t.deliveries)
                .where(
                    key.in_([i.key for i in unfinished]),
                    t.deliveries.c.status.in_(UNFINISHED),
                    or_(
                        t.deliveries.c.claimed_by.is_(None),
                        t.deliveries.c.claimed_by == owner.name,
                        t.deliveries.c.claim_expires_at < owner.now,
                    ),
                )
                .values(claimed_by=owner.name, claim_expires_at=owner.until)
            )
        keys = [i.key for i in items]
        rows = {
            (r.rule_id, r.recipient, r.occurrence): delivery_from(r)
            for r in await conn.execute(select(t.deliveries).where(key.in_(keys)))
        }
        results.append([rows[k] for k in keys])
    return results
