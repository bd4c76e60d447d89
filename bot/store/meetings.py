"""Meetings: the nomination meetings branches have called, latest report winning."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import Meeting, MeetingResult, User
from bot.store import schema as t
from bot.store.base import Aggregate, person_ids, reporter

MEETING_SELECT = select(t.meetings, reporter.c.display_name.label("reporter_name")).select_from(
    t.meetings.outerjoin(reporter, reporter.c.id == t.meetings.c.reported_by)
)


def meeting_from(row: Row[Any]) -> Meeting:
    return Meeting(
        id=row.id,
        branch_code=row.branch_code,
        meeting_date=row.meeting_date,
        notice_date=row.notice_date,
        reported_by=row.reporter_name,
        platform=row.platform,
        reported_at=row.reported_at,
    )


@dataclass(frozen=True, slots=True)
class _MeetingRequest:
    user: User
    branch_code: str
    meeting_date: date
    notice_date: date | None
    at: datetime


class Meetings(Aggregate):
    async def record(
        self,
        user: User,
        branch_code: str,
        meeting_date: date,
        notice_date: date | None,
        at: datetime,
    ) -> MeetingResult:
        return await self.core.batch(
            _apply_meetings, _MeetingRequest(user, branch_code, meeting_date, notice_date, at)
        )

    async def current(self, branch_code: str) -> Meeting | None:
        async def read(conn: AsyncConnection) -> Meeting | None:
            return await latest_meeting(conn, branch_code)

        return await self.core.read(read)

    async def of_branch(self, branch_code: str) -> list[Meeting]:
        """Every meeting reported for the branch, oldest report first."""

        async def read(conn: AsyncConnection) -> list[Meeting]:
            rows = await conn.execute(
                MEETING_SELECT.where(t.meetings.c.branch_code == branch_code).order_by(
                    t.meetings.c.id
                )
            )
            return [meeting_from(r) for r in rows]

        return await self.core.read(read)


async def latest_meeting(conn: AsyncConnection, branch_code: str) -> Meeting | None:
    row = (
        await conn.execute(
            MEETING_SELECT.where(t.meetings.c.branch_code == branch_code)
            .order_by(t.meetings.c.id.desc())
            .limit(1)
        )
    ).first()
    return meeting_from(row) if row else None


async def _apply_meetings(
    conn: AsyncConnection, requests: Sequence[_MeetingRequest]
) -> list[MeetingResult]:
    results = []
    people = await person_ids(conn, (r.user for r in requests), requests[0].at)
    for request in requests:
        previous = await latest_meeting(conn, request.branch_code)
        await conn.execute(
            t.meetings.insert().values(
                branch_code=request.branch_code,
                meeting_date=request.meeting_date,
                notice_date=request.notice_date,
                reported_by=people[request.user.key],
                platform=request.user.platform,
                reported_at=request.at,
            )
        )
        meeting = await latest_meeting(conn, request.branch_code)
        assert meeting is not None
        results.append(MeetingResult(meeting=meeting, previous=previous))
    return results
