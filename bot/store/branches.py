"""Branches: the list the campaign works through, and what is known of each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_, select, type_coerce, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import Branch, BranchFacts, Outcome
from bot.store import schema as t
from bot.store.base import LATEST_MEETING, Aggregate, upsert

_FIELDS = ("name", "group_name", "region", "updated_at", "active")


def _values(branch: Branch, at: datetime) -> dict[str, object]:
    return {
        "code": branch.code,
        "name": branch.name,
        "group_name": branch.group,
        "region": branch.region,
        "updated_at": at,
        "active": True,
    }


class Branches(Aggregate):
    async def sync(self, branches: Sequence[Branch], at: datetime) -> int:
        """Insert or update branches by code; branches not listed are left as they are."""

        async def apply(conn: AsyncConnection) -> int:
            if not branches:
                return 0
            stmt = upsert(conn, t.branches)
            stmt = stmt.on_conflict_do_update(
                index_elements=[t.branches.c.code],
                set_={k: getattr(stmt.excluded, k) for k in _FIELDS if k != "active"},
                where=or_(
                    t.branches.c.name != stmt.excluded.name,
                    t.branches.c.group_name != stmt.excluded.group_name,
                    t.branches.c.region != stmt.excluded.region,
                ),
            )
            await conn.execute(stmt, [_values(b, at) for b in branches])
            return len(branches)

        return await self.core.write(apply)

    async def active(self) -> list[Branch]:
        """The active branches (retired ones keep their records but are not offered)."""

        async def read(conn: AsyncConnection) -> list[Branch]:
            rows = await conn.execute(
                select(t.branches).where(t.branches.c.active.is_(True)).order_by(t.branches.c.name)
            )
            return [Branch(r.code, r.name, r.group_name, r.region) for r in rows]

        return await self.core.read(read)

    async def import_list(
        self, branches: Sequence[Branch], replace: bool, at: datetime
    ) -> tuple[int, int, int]:
        """Add and update branches; with `replace`, retire those not listed (records stay).

        Returns (added, updated, retired).
        """

        async def apply(conn: AsyncConnection) -> tuple[int, int, int]:
            existing = {r.code: r for r in await conn.execute(select(t.branches))}
            added = [b for b in branches if b.code not in existing]
            changed = [
                b
                for b in branches
                if b.code in existing
                and (
                    existing[b.code].name,
                    existing[b.code].group_name,
                    existing[b.code].region,
                    existing[b.code].active,
                )
                != (b.name, b.group, b.region, True)
            ]
            rows = [_values(b, at) for b in [*added, *changed]]
            if rows:
                stmt = upsert(conn, t.branches)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[t.branches.c.code],
                    set_={k: getattr(stmt.excluded, k) for k in _FIELDS},
                )
                await conn.execute(stmt, rows)
            retired = 0
            if replace:
                keep = {b.code for b in branches}
                gone = [code for code, r in existing.items() if code not in keep and r.active]
                if gone:
                    await conn.execute(
                        update(t.branches)
                        .where(t.branches.c.code.in_(gone))
                        .values(active=False, updated_at=at)
                    )
                retired = len(gone)
            return len(added), len(changed), retired

        return await self.core.write(apply)

    async def retired(self) -> list[Branch]:
        """Branches a replaced list retired: still found by their code, never offered."""

        async def read(conn: AsyncConnection) -> list[Branch]:
            rows = await conn.execute(
                select(t.branches).where(t.branches.c.active.is_(False)).order_by(t.branches.c.name)
            )
            return [Branch(r.code, r.name, r.group_name, r.region) for r in rows]

        return await self.core.read(read)

    async def facts(self, code: str | None = None) -> list[BranchFacts]:
        """Per active branch (or just `code`): volunteers (those the purge counted
        included), latest meeting, nomination; and per retired branch with a record of its
        own, which still counts as it did."""

        async def read(conn: AsyncConnection) -> list[BranchFacts]:
            query = _FACTS.where(t.branches.c.code == code) if code is not None else _FACTS
            return [_facts(r) for r in await conn.execute(query)]

        if code is None:
            return await self.core.shared_read("branch-facts", read)
        return await self.core.read(read)


# When a volunteer joined the branch: their sign-up, or a later move to this branch.
_joined = type_coerce(
    case(
        (t.volunteers.c.consent_at > t.volunteers.c.signed_up_at, t.volunteers.c.consent_at),
        else_=t.volunteers.c.signed_up_at,
    ),
    t.volunteers.c.signed_up_at.type,
)
_helpers = (
    select(
        t.volunteers.c.branch_code,
        func.count().label("n"),
        func.min(_joined).label("first"),
    )
    .group_by(t.volunteers.c.branch_code)
    .subquery()
)
_FACTS = (
    select(
        t.branches.c.code,
        t.branches.c.name,
        t.branches.c.group_name,
        t.branches.c.region,
        (func.coalesce(_helpers.c.n, 0) + func.coalesce(t.kept_tallies.c.volunteers, 0)).label(
            "volunteers"
        ),
        _helpers.c.first.label("first_volunteer_at"),
        t.meetings.c.meeting_date,
        t.meetings.c.notice_date,
        t.meetings.c.reported_at.label("meeting_reported_at"),
        t.nominations.c.outcome,
        t.nominations.c.nominee,
        t.nominations.c.meeting_date.label("nominated_at_meeting"),
        t.nominations.c.reported_at,
        t.nominations.c.verified_at,
        t.nominations.c.form_sent_at,
        t.nominations.c.form_official,
        t.nominations.c.confirmed_at,
        t.branches.c.active,
    )
    .select_from(
        t.branches.outerjoin(_helpers, _helpers.c.branch_code == t.branches.c.code)
        .outerjoin(t.kept_tallies, t.kept_tallies.c.branch_code == t.branches.c.code)
        .outerjoin(LATEST_MEETING, LATEST_MEETING.c.branch_code == t.branches.c.code)
        .outerjoin(t.meetings, t.meetings.c.id == LATEST_MEETING.c.id)
        .outerjoin(t.nominations, t.nominations.c.branch_code == t.branches.c.code)
    )
    .where(
        or_(
            t.branches.c.active.is_(True),
            t.nominations.c.branch_code.is_not(None),
            t.meetings.c.id.is_not(None),
        )
    )
    .order_by(t.branches.c.name)
)


def _facts(row: Any) -> BranchFacts:
    return BranchFacts(
        code=row.code,
        name=row.name,
        group=row.group_name,
        region=row.region,
        volunteers=int(row.volunteers),
        first_volunteer_at=row.first_volunteer_at,
        meeting_date=row.meeting_date,
        notice_date=row.notice_date,
        meeting_reported_at=row.meeting_reported_at,
        outcome=Outcome(row.outcome) if row.outcome else None,
        nominee=row.nominee,
        nominated_at_meeting=row.nominated_at_meeting,
        reported_at=row.reported_at,
        verified_at=row.verified_at,
        form_sent_at=row.form_sent_at,
        form_official=row.form_official,
        confirmed_at=row.confirmed_at,
        retired=not row.active,
    )
