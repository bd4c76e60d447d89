"""Meetings: the nomination meetings branches have called, latest report winning.

Each report is a row. A branch's reports from the one that calls a meeting to the one
that cancels it (if any) share a calendar UID, and are numbered from 0: the sequence an
invitation carries, raised by every change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import Meeting, MeetingResult, User
from bot.store import schema as t
from bot.store.base import Aggregate, person_ids, reporter, serialise, upsert

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
        meeting_time=row.meeting_time,
        place=row.place,
        uid=row.uid,
        sequence=row.sequence,
        cancelled=row.cancelled,
    )


@dataclass(frozen=True, slots=True)
class Called:
    """When and where: `at` and `place` left None keep the meeting's (or the defaults)."""

    on: date
    notice: date | None
    at: time | None = None
    place: str | None = None
    default_at: time | None = None
    default_place: str | None = None


@dataclass(frozen=True, slots=True)
class _MeetingRequest:
    user: User
    branch_code: str
    called: Called | None  # None: cancel the branch's meeting
    at: datetime
    invited: bool = False  # `user` is given the change's invitation (or cancellation)


class Meetings(Aggregate):
    async def record(
        self,
        user: User,
        branch_code: str,
        meeting_date: date,
        notice_date: date | None,
        at: datetime,
        meeting_time: time | None = None,
        place: str | None = None,
        defaults: tuple[time, str] | None = None,
        invited: bool = False,
    ) -> MeetingResult:
        """A branch's meeting called, or changed (the same UID, the next sequence).
        `previous` is the meeting it changes, if there is one still on. `invited`: the
        caller is given its invitation, so later changes reach them."""
        called = Called(
            meeting_date,
            notice_date,
            meeting_time,
            place,
            *(defaults if defaults is not None else (None, None)),
        )
        result = await self.core.batch(
            _apply_meetings, _MeetingRequest(user, branch_code, called, at, invited)
        )
        assert result is not None
        return result

    async def cancel(
        self, user: User, branch_code: str, at: datetime, invited: bool = False
    ) -> MeetingResult | None:
        """The branch's meeting cancelled: `meeting` is the cancellation (the next
        sequence), `previous` what it cancels. None if the branch has no meeting on.
        `invited`: the caller is given the cancellation."""
        return await self.core.batch(
            _apply_meetings, _MeetingRequest(user, branch_code, None, at, invited)
        )

    async def current(self, branch_code: str) -> Meeting | None:
        """The branch's meeting, unless there is none or it was cancelled."""
        meeting = await self.latest(branch_code)
        return None if meeting is None or meeting.cancelled else meeting

    async def latest(self, branch_code: str) -> Meeting | None:
        """The branch's latest report, a cancellation included."""

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

    async def reported_by(self, user: User, uid: str) -> bool:
        """Whether `user` called or changed the meeting with calendar UID `uid`."""

        async def read(conn: AsyncConnection) -> bool:
            found = await conn.execute(
                select(t.meetings.c.id)
                .join(t.people, t.people.c.id == t.meetings.c.reported_by)
                .where(
                    t.meetings.c.uid == uid,
                    t.people.c.platform == user.platform,
                    t.people.c.platform_user_id == user.id,
                )
                .limit(1)
            )
            return found.first() is not None

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
) -> list[MeetingResult | None]:
    # One writer at a time numbers a meeting's changes (PostgreSQL, several processes).
    await serialise(conn, "meetings")
    results: list[MeetingResult | None] = []
    people = await person_ids(conn, (r.user for r in requests), requests[0].at)
    for request in requests:
        latest = await latest_meeting(conn, request.branch_code)
        previous = latest if latest is not None and not latest.cancelled else None
        called = request.called
        if called is None:  # a cancellation
            if previous is None:
                results.append(None)
                continue
            values: dict[str, Any] = {
                "meeting_date": previous.meeting_date,
                "notice_date": previous.notice_date,
                "meeting_time": previous.meeting_time,
                "place": previous.place,
                "cancelled": True,
            }
        else:
            values = {
                "meeting_date": called.on,
                "notice_date": called.notice,
                "meeting_time": called.at
                or (previous.meeting_time if previous else None)
                or called.default_at,
                "place": called.place
                or (previous.place if previous else None)
                or called.default_place,
                "cancelled": False,
            }
        await conn.execute(
            t.meetings.insert().values(
                branch_code=request.branch_code,
                reported_by=people[request.user.key],
                platform=request.user.platform,
                reported_at=request.at,
                uid=previous.uid if previous else str(uuid.uuid4()),
                sequence=previous.sequence + 1 if previous else 0,
                **values,
            )
        )
        meeting = await latest_meeting(conn, request.branch_code)
        assert meeting is not None
        if request.invited:
            await given(conn, people[request.user.key], meeting.uid, meeting.sequence)
        results.append(MeetingResult(meeting=meeting, previous=previous))
    return results


async def given(conn: AsyncConnection, person: int, uid: str, sequence: int) -> None:
    """Record that `person` has the meeting's change `sequence` (never moving them back
    to an earlier one): see `bot.store.invitations`."""
    r = t.meeting_recipients.c
    inserted = await conn.execute(
        upsert(conn, t.meeting_recipients)
        .values(uid=uid, person_id=person, sequence=sequence)
        .on_conflict_do_nothing()
    )
    if not inserted.rowcount:
        await conn.execute(
            update(t.meeting_recipients)
            .where(r.uid == uid, r.person_id == person, r.sequence < sequence)
            .values(sequence=sequence)
        )
