"""Who has had each meeting's invitation, and which change of it they have.

A row links a meeting's calendar UID to a person (nothing else about them) with the
sequence of the last invitation they were given. Whenever the meeting changes again, or
is cancelled, each of them but the person who made the change is due the new one. The
rows go with the person (/forgetme, the purge): the foreign key cascades.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import Meeting, User
from bot.store import schema as t
from bot.store.base import Aggregate, person_id
from bot.store.meetings import MEETING_SELECT, given, meeting_from


@dataclass(frozen=True, slots=True)
class DueUpdate:
    """A meeting's latest change (or cancellation), due to one person who had an
    earlier invitation to it."""

    person_id: int
    platform: str
    user_id: str
    meeting: Meeting

    @property
    def recipient(self) -> str:
        return f"person:{self.person_id}"

    @property
    def occurrence(self) -> str:
        return f"{self.meeting.uid}:{self.meeting.sequence}"


def _due() -> Select[int, str, str, int]:
    r, m, p = t.meeting_recipients.c, t.meetings.c, t.people.c
    latest = select(m.uid, func.max(m.sequence).label("sequence")).group_by(m.uid).subquery()
    return (
        select(r.person_id, p.platform, p.platform_user_id, m.id)
        .select_from(
            t.meeting_recipients.join(latest, latest.c.uid == r.uid)
            .join(t.meetings, and_(m.uid == latest.c.uid, m.sequence == latest.c.sequence))
            .join(t.people, p.id == r.person_id)
        )
        .where(
            r.sequence < m.sequence,
            or_(m.reported_by.is_(None), m.reported_by != r.person_id),
        )
        .order_by(m.id, r.person_id)
    )


# Each meeting's latest change, with whoever has only an earlier one: read at every sweep,
# so built once (a statement built anew is most of the cost of this read when none is due).
_DUE = _due()


class Invitations(Aggregate):
    async def given(self, user: User, meeting: Meeting, at: datetime) -> None:
        """`user` has been given `meeting`'s invitation (or its cancellation)."""

        async def apply(conn: AsyncConnection) -> None:
            person = await person_id(conn, user, at)
            await given(conn, person, meeting.uid, meeting.sequence)

        await self.core.write(apply)

    async def settle(self, person: int, uid: str, sequence: int) -> None:
        """The change numbered `sequence` has reached `person`, or never will."""

        async def apply(conn: AsyncConnection) -> None:
            await given(conn, person, uid, sequence)

        await self.core.write(apply)

    async def due(self) -> list[DueUpdate]:
        """Each meeting's latest change, for everyone who has only an earlier one (but
        not whoever made it), oldest change first."""

        async def read(conn: AsyncConnection) -> list[DueUpdate]:
            found = (await conn.execute(_DUE)).all()
            if not found:
                return []
            ids = sorted({row.id for row in found})
            meetings = {
                row.id: meeting_from(row)
                for row in await conn.execute(MEETING_SELECT.where(t.meetings.c.id.in_(ids)))
            }
            return [
                DueUpdate(row.person_id, row.platform, row.platform_user_id, meetings[row.id])
                for row in found
            ]

        return await self.core.read(read)

    async def recipients(self, uid: str) -> list[tuple[str, str, int]]:
        """(platform, user id, sequence) of everyone who has had the meeting's invitation."""

        async def read(conn: AsyncConnection) -> list[tuple[str, str, int]]:
            r, p = t.meeting_recipients.c, t.people.c
            rows = await conn.execute(
                select(p.platform, p.platform_user_id, r.sequence)
                .join(t.people, p.id == r.person_id)
                .where(r.uid == uid)
                .order_by(p.platform, p.platform_user_id)
            )
            return [(row[0], row[1], int(row[2])) for row in rows]

        return await self.core.read(read)
