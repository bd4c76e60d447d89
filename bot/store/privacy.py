"""Privacy: what is held about a person, erasing it on request, and the purge after the
ballot. Reports stay, as anonymous counts; the purge keeps per-branch tallies.

Names, handles and user ids are also blanked wherever somebody typed them (questions,
organisers' answers, the audit log, nominees and officials). On SQLite deleted content is
overwritten (`secure_delete`, set on every connection) and an erasure ends with a
checkpoint that empties the write-ahead log, so nothing erased stays in the files.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    FromClause,
    ScalarSelect,
    Select,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import User
from bot.campaign.records import Erasure, Person, PersonalData, PurgeCounts
from bot.store import schema as t
from bot.store.ballot import live_tallies
from bot.store.base import Aggregate, count, find_person, upsert
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
    (t.broadcasts, ("text",)),
)
ERASED = "[erased]"
log = logging.getLogger(__name__)
# Words shorter than this are not blanked: too many other words contain them.
SHORTEST = 2
CHECKPOINT_TRIES = 3  # each may wait up to the busy timeout for readers to move on


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
                invitations=await count(
                    conn, t.meeting_recipients, t.meeting_recipients.c.person_id == pid
                ),
            )

        return await self.core.read(read)

    async def forget(self, user: User) -> Erasure:
        """Erase everything held about `user`; their reports stay, with no name attached.

        Questions only they asked, still unanswered, go; their name, handle and id are
        blanked from every other text. On SQLite the write-ahead log is emptied after."""

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
            await _drop_own_questions(conn, person)
            # Foreign keys cascade the volunteer row and blank the person on every report.
            await conn.execute(delete(t.people).where(t.people.c.id == person))
            # Their name or id may also sit in free text (a question they typed, say).
            await _scrub(conn, [name, user.display_name, user.id])
            return Erasure(
                found=True,
                volunteer_branch=branch,
                reports=reports,
                meetings=meetings,
                verifications=verifications,
            )

        erased = await self.core.write(apply)
        if erased.found:
            await self.checkpoint()
        return erased

    async def purge(
        self,
        dry_run: bool = False,
        at: datetime | None = None,
        audit_options: Mapping[str, Sequence[str]] | None = None,
    ) -> PurgeCounts:
        """Delete all personal data, keeping the anonymous records that tallies count.

        Volunteers and what they said in the ballot are first added up per branch
        (`kept_tallies`). People go (with their sign-ups, help requests and reminders);
        their meetings, reports and verifications stay with no name attached. Reminder
        records, the questions people typed and organisers' broadcasts go too;
        organisers' answers stay, with every name, handle and id blanked. Officials'
        names go (a form stays "signed by a named official", so it still counts), and
        audit details keep only, per action in `audit_options`, the options named there
        (free text is not kept).
        """
        if dry_run:
            return await self.core.read(_held)
        when = at or datetime.now().astimezone()

        async def apply(conn: AsyncConnection) -> PurgeCounts:
            found = await _held(conn)
            people = await conn.execute(
                select(t.people.c.display_name, t.people.c.platform_user_id)
            )
            words = [w for row in people for w in (row.display_name, row.platform_user_id)]
            await _keep_tallies(conn, when)
            await conn.execute(delete(t.deliveries))
            await conn.execute(delete(t.help_requests))
            await conn.execute(delete(t.questions))
            await conn.execute(delete(t.ballot_actions))
            await conn.execute(delete(t.meeting_recipients))
            await conn.execute(delete(t.broadcasts))  # organisers' texts may name anyone
            await conn.execute(delete(t.people))  # foreign keys clear every reference
            await _drop_officials(conn)
            await _plain_audit(conn, audit_options or {})
            await _scrub(conn, words)
            return found

        counts = await self.core.write(apply)
        await self.checkpoint()
        return counts

    async def checkpoint(self) -> None:
        """On SQLite, copy the write-ahead log into the database and empty it, so erased
        rows survive in neither file (other readers may hold it up a moment)."""
        engine = self.core.engine
        if engine.dialect.name != "sqlite":
            return
        for _ in range(CHECKPOINT_TRIES):
            async with engine.connect() as conn:
                raw = await conn.get_raw_connection()
                driver = raw.driver_connection
                assert driver is not None
                cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy = (await cursor.fetchone() or (0,))[0]
                await cursor.close()
            if not busy:
                return
            await asyncio.sleep(0.05)
        log.warning(
            "the write-ahead log could not be emptied after an erasure: readers kept it busy"
        )


def _held_select() -> Select[int, int, int, int, int, int, int, int]:
    def held(table: FromClause, *where: ColumnElement[bool]) -> ScalarSelect[int]:
        return select(func.count()).select_from(table).where(*where).scalar_subquery()

    history = t.nomination_history.c
    return select(
        held(t.people),
        held(t.volunteers),
        held(t.help_requests),
        held(t.deliveries),
        held(t.questions),
        held(t.ballot_actions),
        held(
            t.nominations,
            and_(
                t.nominations.c.form_official.is_not(None),
                t.nominations.c.form_official != ERASED,
            ),
        ),
        held(
            t.nomination_history, and_(history.action == "formsent", history.nominee.is_not(None))
        ),
    )


# What personal data is held, in one statement: once the purge date has passed, every
# sweep asks.
_HELD = _held_select()


async def _held(conn: AsyncConnection) -> PurgeCounts:
    (people, volunteers, helps, reminders, questions, ballot, officials, history) = (
        await conn.execute(_HELD)
    ).one()
    return PurgeCounts(
        people=int(people),
        volunteers=int(volunteers),
        help_requests=int(helps),
        reminder_records=int(reminders),
        questions=int(questions),
        ballot_records=int(ballot),
        official_names=int(officials) + int(history),
    )


async def _keep_tallies(conn: AsyncConnection, at: datetime) -> None:
    """Add each branch's volunteers, votes and colleagues asked to its kept tallies."""
    kept = t.kept_tallies
    rows = (await conn.execute(live_tallies())).all()
    if not rows:
        return
    stmt = upsert(conn, kept)
    await conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[kept.c.branch_code],
            set_={
                "volunteers": kept.c.volunteers + stmt.excluded.volunteers,
                "voted": kept.c.voted + stmt.excluded.voted,
                "pledged": kept.c.pledged + stmt.excluded.pledged,
                "kept_at": stmt.excluded.kept_at,
            },
        ),
        [
            {
                "branch_code": r.branch_code,
                "volunteers": int(r.volunteers),
                "voted": int(r.voted),
                "pledged": int(r.pledged),
                "kept_at": at,
            }
            for r in rows
        ],
    )


async def _drop_own_questions(conn: AsyncConnection, person: int) -> None:
    """Questions only `person` asked and nobody has answered: theirs alone, so they go."""
    askers = t.question_askers
    others = (
        select(askers.c.question_id)
        .where(askers.c.question_id == t.questions.c.id, askers.c.person_id != person)
        .exists()
    )
    mine = select(askers.c.question_id).where(askers.c.person_id == person)
    await conn.execute(
        delete(t.questions).where(
            t.questions.c.id.in_(mine), t.questions.c.answered_at.is_(None), ~others
        )
    )


async def _drop_officials(conn: AsyncConnection) -> None:
    """Officials' names go; a form sent stays marked as signed by a named official."""
    n, history = t.nominations, t.nomination_history
    await conn.execute(update(n).where(n.c.form_official.is_not(None)).values(form_official=ERASED))
    await conn.execute(
        update(history)
        .where(history.c.action == "formsent", history.c.nominee.is_not(None))
        .values(nominee=None)
    )


_OPTION = re.compile(r"(?<!\S)([a-z_]+):(\S*)")


async def _plain_audit(conn: AsyncConnection, kept: Mapping[str, Sequence[str]]) -> None:
    """Audit details of the actions in `kept` keep only the options it names for them."""
    log = t.audit_log
    if not kept:
        return
    rows = await conn.execute(
        select(log.c.id, log.c.action, log.c.detail).where(
            log.c.action.in_(sorted(kept)), log.c.detail.is_not(None)
        )
    )
    for row in rows.all():
        names = kept[row.action]
        plain = " ".join(f"{m[1]}:{m[2]}" for m in _OPTION.finditer(row.detail) if m[1] in names)
        if plain != row.detail:
            await conn.execute(update(log).where(log.c.id == row.id).values(detail=plain or None))


def blanking(words: Iterable[str]) -> re.Pattern[str] | None:
    """A pattern for `words` (names, handles, ids) as whole words, any case, however the
    spaces inside a name were typed; None if there is nothing to look for."""
    parts = sorted(
        {w.strip() for w in words if w and len(w.strip()) >= SHORTEST}, key=len, reverse=True
    )
    if not parts:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in parts)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


async def _scrub(conn: AsyncConnection, words: Sequence[str]) -> None:
    """Blank `words` wherever they appear in free text. Every row is read (names can be
    typed in any case and spacing); a question whose text changes is no longer matched
    with new ones (its key goes too)."""
    pattern = blanking(words)
    if pattern is None:
        return
    for table, columns in _FREE_TEXT:
        key = next(iter(table.primary_key.columns))
        present = or_(*(table.c[c].is_not(None) for c in columns))
        rows = await conn.execute(select(key, *(table.c[c] for c in columns)).where(present))
        for row in rows.all():
            changes = {
                c: pattern.sub(ERASED, row._mapping[c])
                for c in columns
                if row._mapping[c] and pattern.search(row._mapping[c])
            }
            if not changes:
                continue
            if table is t.questions:
                changes["normalised"] = f"{ERASED} {row[0]}"
            await conn.execute(update(table).where(key == row[0]).values(**changes))
