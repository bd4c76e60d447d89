"""Reports: the exports organisers download and the facts of the daily digest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import Branch, Meeting, Volunteer
from bot.campaign.records import BranchNomination, DigestFacts, DigestReport, HelpRequest
from bot.store import schema as t
from bot.store.base import LATEST_MEETING, Aggregate, count
from bot.store.meetings import MEETING_SELECT, meeting_from
from bot.store.nominations import NOMINATION_SELECT, nomination_from
from bot.store.people import VOLUNTEER_SELECT, volunteer_from


class Reports(Aggregate):
    async def nominations(self) -> list[BranchNomination]:
        async def read(conn: AsyncConnection) -> list[BranchNomination]:
            rows = await conn.execute(
                NOMINATION_SELECT.add_columns(
                    t.branches.c.name.label("branch_name"),
                    t.branches.c.group_name,
                    t.branches.c.region,
                )
                .join_from(
                    t.nominations, t.branches, t.branches.c.code == t.nominations.c.branch_code
                )
                .order_by(t.branches.c.name)
            )
            return [
                BranchNomination(
                    Branch(r.branch_code, r.branch_name, r.group_name, r.region),
                    nomination_from(r),
                )
                for r in rows
            ]

        return await self.core.read(read)

    async def volunteers(self, branch_code: str | None = None) -> list[Volunteer]:
        """Every volunteer (or one branch's), by branch and name."""

        async def read(conn: AsyncConnection) -> list[Volunteer]:
            query = VOLUNTEER_SELECT
            if branch_code is not None:
                query = query.where(t.volunteers.c.branch_code == branch_code)
            rows = await conn.execute(query.order_by(t.branches.c.name, t.people.c.display_name))
            return [volunteer_from(r) for r in rows]

        return await self.core.read(read)

    async def meetings(self) -> list[Meeting]:
        """Each branch's latest meeting, soonest first."""

        async def read(conn: AsyncConnection) -> list[Meeting]:
            rows = await conn.execute(
                MEETING_SELECT.add_columns(t.branches.c.name.label("branch_name"))
                .join_from(t.meetings, t.branches, t.branches.c.code == t.meetings.c.branch_code)
                .join(LATEST_MEETING, LATEST_MEETING.c.id == t.meetings.c.id)
                .order_by(t.meetings.c.meeting_date, t.branches.c.name)
            )
            return [replace(meeting_from(r), branch_name=r.branch_name) for r in rows]

        return await self.core.read(read)

    async def digest(self, since: datetime, today: date) -> DigestFacts:
        """What the organisers' daily digest reports."""

        async def read(conn: AsyncConnection) -> DigestFacts:
            history = t.nomination_history
            reports = await conn.execute(
                select(history.c.branch_code, history.c.outcome, t.branches.c.name)
                .join_from(history, t.branches, t.branches.c.code == history.c.branch_code)
                .where(history.c.at >= since, history.c.action != "verify")
                .order_by(history.c.id)
            )
            stuck = await conn.execute(
                select(t.branches.c.name)
                .join_from(t.meetings, t.branches, t.branches.c.code == t.meetings.c.branch_code)
                .join(LATEST_MEETING, LATEST_MEETING.c.id == t.meetings.c.id)
                .where(
                    t.meetings.c.meeting_date < today,
                    ~select(t.nominations.c.branch_code)
                    .where(t.nominations.c.branch_code == t.meetings.c.branch_code)
                    .exists(),
                )
                .order_by(t.meetings.c.meeting_date)
            )
            help_rows = await conn.execute(
                select(t.people.c.display_name, t.people.c.platform, t.help_requests.c.branch_code)
                .join_from(t.help_requests, t.people, t.people.c.id == t.help_requests.c.person_id)
                .where(t.help_requests.c.handled_at.is_(None))
                .order_by(t.help_requests.c.id)
            )
            return DigestFacts(
                reports=tuple(DigestReport(r.branch_code, r.name, r.outcome) for r in reports),
                stuck=tuple(r.name for r in stuck),
                undeliverable=await count(
                    conn, t.volunteers, t.volunteers.c.undeliverable_at.is_not(None)
                ),
                unanswered=await count(conn, t.questions, t.questions.c.answered_at.is_(None)),
                help=tuple(
                    HelpRequest(r.display_name, r.platform, r.branch_code) for r in help_rows
                ),
            )

        return await self.core.read(read)
