"""Privacy: what is held about a person, erasing it on request, and the purge after the
ballot. Reports stay, as anonymous counts."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import and_, delete, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Erasure, Person, PersonalData, PurgeCounts, User
from bot.store import schema as t
from bot.store.base import Aggregate, count, find_person
from bot.store.meetings import MEETING_SELECT, meeting_from
from bot.store.nominations import history_from
from bot.store.people import VOLUNTEER_SELECT, volunteer_from

# Free-text columns where a person's name can appear in what somebody typed.
_FREE_TEXT = (
    (t.questions, ("text", "normalised")),
    (t.faq_answers, ("question", "answer")),
    (t.audit_log, ("detail",)),
    (t.nomination_history, ("nominee",)),
    (t.nominations, ("nominee", "form_official")),
)
ERASED = "[erased]"


class Privacy(Aggregate):
    async def personal_data(self, user: User) -> PersonalData | None:
        """Everything stored that is about `user`, or None if nothing is."""

        async def read(conn: AsyncConnection) -> PersonalData | None:
            person = (
                await conn.execute(
                    select(t.people).where(
                        t.people.c.platform == user.platform,
                        t.people.c.platform_user_id == user.id,
                    )
                )
            ).first()
            if person is None:
                return None
            pid = person.id
            volunteer = (
                await conn.execute(VOLUNTEER_SELECT.where(t.volunteers.c.person_id == pid))
            ).first()
            meetings = await conn.execute(
                MEETING_SELECT.where(t.meetings.c.reported_by == pid).order_by(t.meetings.c.id)
            )
            reports = await conn.execute(
                select(t.nomination_history)
                .where(t.nomination_history.c.person_id == pid)
                .order_by(t.nomination_history.c.id)
            )
            return PersonalData(
                person=Person(
                    person.display_name, person.platform, person.platform_user_id, person.created_at
                ),
                volunteer=volunteer_from(volunteer) if volunteer else None,
                meetings=tuple(meeting_from(r) for r in meetings),
                reports=tuple(history_from(r) for r in reports),
                help_requests=await count(
                    conn, t.help_requests, t.help_requests.c.person_id == pid
                ),
                reminders=await count(
                    conn,
                    t.deliveries,
                    and_(t.deliveries.c.person_id == pid, t.deliveries.c.status == "sent"),
                ),
                audit=await count(conn, t.audit_log, t.audit_log.c.person_id == pid),
            )

        return await self.core.read(read)

    async def forget(self, user: User) -> Erasure:
        """Erase everything held about `user`; their reports stay, with no name attached."""

        async def apply(conn: AsyncConnection) -> Erasure:
            person = await find_person(conn, user)
            if person is None:
                return Erasure(found=False)
            branch = (
                await conn.execute(
                    select(t.volunteers.c.branch_code).where(t.volunteers.c.person_id == person)
                )
            ).scalar_one_or_none()
            history = t.nomination_history.c
            reports = await count(
                conn,
                t.nomination_history,
                and_(history.person_id == person, history.action != "verify"),
            )
            verifications = await count(
                conn,
                t.nomination_history,
                and_(history.person_id == person, history.action == "verify"),
            )
            meetings = await count(conn, t.meetings, t.meetings.c.reported_by == person)
            name = (
                await conn.execute(select(t.people.c.display_name).where(t.people.c.id == person))
            ).scalar_one()
            # Foreign keys cascade the volunteer row and blank the person on every report.
            await conn.execute(delete(t.people).where(t.people.c.id == person))
            # Their name or id may also sit in free text (a question they typed, say).
            await _scrub(conn, [name, user.id])
            return Erasure(
                found=True,
                volunteer_branch=branch,
                reports=reports,
                meetings=meetings,
                verifications=verifications,
            )

        return await self.core.write(apply)

    async def purge(self, dry_run: bool = False) -> PurgeCounts:
        """Delete all personal data, keeping the anonymous records that tallies count.

        People go (with their sign-ups, help requests and reminders); their meetings,
        reports and verifications stay with no name attached. Reminder records and the
        questions people typed go too.
        """
        if dry_run:
            return await self.core.read(_held)

        async def apply(conn: AsyncConnection) -> PurgeCounts:
            found = await _held(conn)
            await conn.execute(delete(t.deliveries))
            await conn.execute(delete(t.help_requests))
            await conn.execute(delete(t.questions))
            await conn.execute(delete(t.ballot_actions))
            await conn.execute(delete(t.people))  # foreign keys clear every reference
            return found

        return await self.core.write(apply)


async def _held(conn: AsyncConnection) -> PurgeCounts:
    every = literal(True)
    return PurgeCounts(
        people=await count(conn, t.people, every),
        volunteers=await count(conn, t.volunteers, every),
        help_requests=await count(conn, t.help_requests, every),
        reminder_records=await count(conn, t.deliveries, every),
        questions=await count(conn, t.questions, every),
        ballot_records=await count(conn, t.ballot_actions, every),
    )


async def _scrub(conn: AsyncConnection, words: Sequence[str]) -> None:
    """Replace `words` (names, ids) wherever they appear in free text, ignoring case."""
    words = [w for w in words if len(w) >= 3]
    if not words:
        return
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    for table, columns in _FREE_TEXT:
        key = next(iter(table.primary_key.columns))
        matches = or_(*(func.lower(table.c[c]).contains(w.lower()) for c in columns for w in words))
        rows = await conn.execute(select(key, *(table.c[c] for c in columns)).where(matches))
        for row in rows.all():
            changes = {
                c: pattern.sub(ERASED, row._mapping[c])
                for c in columns
                if row._mapping[c] and pattern.search(row._mapping[c])
            }
            await conn.execute(update(table).where(key == row[0]).values(**changes))
