"""The audit log: every organiser action, and every refused attempt, with who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import User
from bot.campaign.records import AuditEntry
from bot.store import schema as t
from bot.store.base import Aggregate, person_id


class Audit(Aggregate):
    async def record(
        self, user: User | None, action: str, detail: str | None, at: datetime
    ) -> None:
        """Record an organiser action (or a refusal); no user means the command line."""

        async def apply(conn: AsyncConnection) -> None:
            person = await person_id(conn, user, at) if user is not None else None
            await conn.execute(
                t.audit_log.insert().values(
                    at=at,
                    person_id=person,
                    platform=user.platform if user else "cli",
                    action=action[:40],
                    detail=detail[:300] if detail else None,
                )
            )

        await self.core.write(apply)

    async def latest(self, limit: int = 20) -> list[AuditEntry]:
        async def read(conn: AsyncConnection) -> list[AuditEntry]:
            rows = await conn.execute(
                select(t.audit_log, t.people.c.display_name)
                .select_from(
                    t.audit_log.outerjoin(t.people, t.people.c.id == t.audit_log.c.person_id)
                )
                .order_by(t.audit_log.c.id.desc())
                .limit(limit)
            )
            return [AuditEntry(r.at, r.platform, r.action, r.detail, r.display_name) for r in rows]

        return await self.core.read(read)
