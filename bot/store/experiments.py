"""Wording experiments, as the store holds them: who was in which group of a rule (the
delivery log's records that carry a variant) and when each branch took its next step or
each volunteer said they voted, for the report (`bot.views.experiments`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.records import Exposure, StepTimes
from bot.store import schema as t
from bot.store.base import Aggregate


class Experiments(Aggregate):
    async def exposures(self, rule_ids: Sequence[str]) -> list[Exposure]:
        """For each rule and volunteer with a record of it that carries a variant: their
        group, their branch then, and the first moment the rule was due for them."""
        d = t.deliveries.c

        async def read(conn: AsyncConnection) -> list[Exposure]:
            rows = await conn.execute(
                select(
                    d.rule_id,
                    d.person_id,
                    func.min(d.variant).label("variant"),
                    func.min(d.branch_code).label("branch_code"),
                    func.min(d.due_at).label("first_at"),
                )
                .where(
                    d.rule_id.in_(list(rule_ids)),
                    d.variant.is_not(None),
                    d.person_id.is_not(None),
                )
                .group_by(d.rule_id, d.person_id)
                .order_by(d.rule_id, d.person_id)
            )
            # min() keeps its column's type: the moments come back aware, in UTC.
            return [
                Exposure(r.rule_id, r.variant, r.person_id, r.branch_code, r.first_at) for r in rows
            ]

        return await self.core.read(read)

    async def steps(self) -> StepTimes:
        """When each branch's meetings were called and results reported, and when each
        volunteer said they voted."""

        async def read(conn: AsyncConnection) -> StepTimes:
            meetings: dict[str, list[datetime]] = defaultdict(list)
            for r in await conn.execute(
                select(t.meetings.c.branch_code, t.meetings.c.reported_at).where(
                    t.meetings.c.cancelled.is_(False)
                )
            ):
                meetings[r.branch_code].append(r.reported_at)
            results: dict[str, list[datetime]] = defaultdict(list)
            history = t.nomination_history.c
            for r in await conn.execute(
                select(history.branch_code, history.at).where(history.action == "report")
            ):
                results[r.branch_code].append(r.at)
            voted = {
                r.person_id: r.voted_at
                for r in await conn.execute(
                    select(t.ballot_actions.c.person_id, t.ballot_actions.c.voted_at).where(
                        t.ballot_actions.c.voted_at.is_not(None)
                    )
                )
            }
            return StepTimes(
                {k: sorted(v) for k, v in meetings.items()},
                {k: sorted(v) for k, v in results.items()},
                voted,
            )

        return await self.core.read(read)
