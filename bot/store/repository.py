"""The store: a small typed async repository over SQLAlchemy Core.

Every method says what it does for the campaign (`record_nomination`, `tally`, `forget`);
SQL stays in here and is always parameterised. Writes go through the group-commit queue;
reads run on pooled connections, and identical reads that overlap share one query as
long as no write has committed since it started.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    Row,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.campaign import Branch
from bot.messages import User
from bot.store import schema as t
from bot.store.engine import create_engine, migrate, prepare_writer
from bot.store.records import (
    OUTCOME_INQUORATE,
    OUTCOME_NOMINATED,
    OUTCOME_NONE,
    OUTCOME_OTHER,
    Erasure,
    FaqAnswer,
    Meeting,
    MeetingResult,
    Nomination,
    NominationResult,
    SignUp,
    Tally,
    UnansweredQuestion,
    Volunteer,
)
from bot.store.writer import WriteQueue

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class NominationReport:
    branch_code: str
    outcome: str
    nominee: str | None
    meeting_date: date | None
    reporter: User
    at: datetime


@dataclass(frozen=True, slots=True)
class _SignUpRequest:
    user: User
    branch_code: str
    consent_text: str
    at: datetime


@dataclass(frozen=True, slots=True)
class _MeetingRequest:
    user: User
    branch_code: str
    meeting_date: date
    notice_date: date | None
    at: datetime


def _insert(conn: AsyncConnection, table: Any) -> Any:
    """The backend's INSERT, which knows ON CONFLICT."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def _person_ids(conn: AsyncConnection, users: Iterable[User], at: datetime) -> dict[str, int]:
    """Create or refresh people rows for `users`; map each user key to its row id."""
    latest = {user.key: user for user in users}
    if not latest:
        return {}
    values = [
        {
            "platform": u.platform,
            "platform_user_id": u.id,
            "display_name": u.display_name,
            "created_at": at,
        }
        for u in latest.values()
    ]
    stmt = _insert(conn, t.people)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.people.c.platform, t.people.c.platform_user_id],
        set_={"display_name": stmt.excluded.display_name},
    )
    await conn.execute(stmt, values)
    rows = await conn.execute(
        select(t.people.c.id, t.people.c.platform, t.people.c.platform_user_id).where(
            tuple_(t.people.c.platform, t.people.c.platform_user_id).in_(
                [(u.platform, u.id) for u in latest.values()]
            )
        )
    )
    return {f"{row.platform}:{row.platform_user_id}": row.id for row in rows}


async def _person_id(conn: AsyncConnection, user: User, at: datetime) -> int:
    return (await _person_ids(conn, [user], at))[user.key]


async def _find_person(conn: AsyncConnection, user: User) -> int | None:
    return (
        await conn.execute(
            select(t.people.c.id).where(
                t.people.c.platform == user.platform, t.people.c.platform_user_id == user.id
            )
        )
    ).scalar_one_or_none()


_reporter = t.people.alias("reporter")
_verifier = t.people.alias("verifier")

_NOMINATION_SELECT = select(
    t.nominations,
    _reporter.c.display_name.label("reporter_name"),
    _verifier.c.display_name.label("verifier_name"),
).select_from(
    t.nominations.outerjoin(_reporter, _reporter.c.id == t.nominations.c.reported_by).outerjoin(
        _verifier, _verifier.c.id == t.nominations.c.verified_by
    )
)


def _nomination(row: Row[Any]) -> Nomination:
    return Nomination(
        branch_code=row.branch_code,
        outcome=row.outcome,
        nominee=row.nominee,
        meeting_date=row.meeting_date,
        reported_by=row.reporter_name,
        platform=row.platform,
        reported_at=row.reported_at,
        report_count=row.report_count,
        verified_at=row.verified_at,
        verified_by=row.verifier_name,
        form_sent_at=row.form_sent_at,
        form_official=row.form_official,
        confirmed_at=row.confirmed_at,
    )


_MEETING_SELECT = select(t.meetings, _reporter.c.display_name.label("reporter_name")).select_from(
    t.meetings.outerjoin(_reporter, _reporter.c.id == t.meetings.c.reported_by)
)


def _meeting(row: Row[Any]) -> Meeting:
    return Meeting(
        id=row.id,
        branch_code=row.branch_code,
        meeting_date=row.meeting_date,
        notice_date=row.notice_date,
        reported_by=row.reporter_name,
        platform=row.platform,
        reported_at=row.reported_at,
    )


_VOLUNTEER_SELECT = select(
    t.volunteers, t.people.c.platform, t.people.c.platform_user_id, t.people.c.display_name
).select_from(t.volunteers.join(t.people, t.people.c.id == t.volunteers.c.person_id))


def _volunteer(row: Row[Any]) -> Volunteer:
    return Volunteer(
        person_id=row.person_id,
        platform=row.platform,
        platform_user_id=row.platform_user_id,
        display_name=row.display_name,
        branch_code=row.branch_code,
        consent_at=row.consent_at,
        consent_text=row.consent_text,
        opted_out=bool(row.opted_out),
        snoozed_until=row.snoozed_until,
        signed_up_at=row.signed_up_at,
    )


def _same_result(a: Nomination | None, outcome: str, nominee: str | None) -> bool:
    return a is not None and a.outcome == outcome and (a.nominee or "") == (nominee or "")


class Store:
    """The campaign's state. Open with `Store.open(url)`; close with `await store.close()`."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self._generation = 0
        self._inflight: dict[str, tuple[int, asyncio.Future[Any]]] = {}
        self._writes = WriteQueue(engine, prepare=prepare_writer, on_commit=self._committed)

    @classmethod
    async def open(cls, url: str, *, migrate_schema: bool = True) -> Store:
        engine = create_engine(url)
        if migrate_schema:
            await migrate(engine)
        return cls(engine)

    async def close(self) -> None:
        await self._writes.close()
        await self.engine.dispose()

    @property
    def generation(self) -> int:
        """How many write transactions this store has finished (committed or not)."""
        return self._generation

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    # --- plumbing ----------------------------------------------------------------------

    def _committed(self) -> None:
        self._generation += 1

    async def _read(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        async with self.engine.connect() as conn:
            return await fn(conn)

    async def _shared_read(self, key: str, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run `fn`, or join an identical read that started after the latest commit."""
        entry = self._inflight.get(key)
        if entry is not None and entry[0] == self._generation and not entry[1].done():
            return await asyncio.shield(entry[1])
        future: asyncio.Future[T] = asyncio.ensure_future(self._read(fn))
        self._inflight[key] = (self._generation, future)

        def _forget(done: asyncio.Future[Any]) -> None:
            if self._inflight.get(key, (0, None))[1] is done:
                del self._inflight[key]

        future.add_done_callback(_forget)
        return await asyncio.shield(future)

    async def _write(self, fn: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        return await self._writes.submit(_run_each, fn)

    # --- branches ----------------------------------------------------------------------

    async def sync_branches(self, branches: Sequence[Branch], at: datetime) -> int:
        """Insert or update branches by code; branches not listed are left as they are."""

        async def apply(conn: AsyncConnection) -> int:
            if not branches:
                return 0
            values = [
                {
                    "code": b.code,
                    "name": b.name,
                    "group_name": b.group,
                    "region": b.region,
                    "updated_at": at,
                }
                for b in branches
            ]
            stmt = _insert(conn, t.branches)
            stmt = stmt.on_conflict_do_update(
                index_elements=[t.branches.c.code],
                set_={
                    "name": stmt.excluded.name,
                    "group_name": stmt.excluded.group_name,
                    "region": stmt.excluded.region,
                    "updated_at": stmt.excluded.updated_at,
                },
                where=or_(
                    t.branches.c.name != stmt.excluded.name,
                    t.branches.c.group_name != stmt.excluded.group_name,
                    t.branches.c.region != stmt.excluded.region,
                ),
            )
            await conn.execute(stmt, values)
            return len(branches)

        return await self._write(apply)

    async def branches(self) -> list[Branch]:
        """The active branches (retired ones keep their records but are not offered)."""

        async def read(conn: AsyncConnection) -> list[Branch]:
            rows = await conn.execute(
                select(t.branches).where(t.branches.c.active.is_(True)).order_by(t.branches.c.name)
            )
            return [Branch(r.code, r.name, r.group_name, r.region) for r in rows]

        return await self._read(read)

    # --- volunteers --------------------------------------------------------------------

    async def sign_up(
        self, user: User, branch_code: str, consent_text: str, at: datetime
    ) -> SignUp:
        return await self._writes.submit(
            _apply_sign_ups, _SignUpRequest(user, branch_code, consent_text, at)
        )

    async def volunteer(self, user: User) -> Volunteer | None:
        async def read(conn: AsyncConnection) -> Volunteer | None:
            row = (
                await conn.execute(
                    _VOLUNTEER_SELECT.where(
                        t.people.c.platform == user.platform,
                        t.people.c.platform_user_id == user.id,
                    )
                )
            ).first()
            return _volunteer(row) if row else None

        return await self._read(read)

    async def set_opted_out(self, user: User, opted_out: bool, at: datetime) -> bool:
        """Turn reminders off or on; False if the user is not a volunteer."""

        async def apply(conn: AsyncConnection) -> bool:
            person = await _find_person(conn, user)
            if person is None:
                return False
            result = await conn.execute(
                update(t.volunteers)
                .where(t.volunteers.c.person_id == person)
                .values(opted_out=opted_out, opted_out_at=at if opted_out else None)
            )
            return bool(result.rowcount)

        return await self._write(apply)

    # --- meetings ----------------------------------------------------------------------

    async def record_meeting(
        self,
        user: User,
        branch_code: str,
        meeting_date: date,
        notice_date: date | None,
        at: datetime,
    ) -> MeetingResult:
        return await self._writes.submit(
            _apply_meetings, _MeetingRequest(user, branch_code, meeting_date, notice_date, at)
        )

    async def current_meeting(self, branch_code: str) -> Meeting | None:
        async def read(conn: AsyncConnection) -> Meeting | None:
            return await _latest_meeting(conn, branch_code)

        return await self._read(read)

    # --- nominations -------------------------------------------------------------------

    async def record_nomination(self, report: NominationReport) -> NominationResult:
        return await self._writes.submit(_apply_nominations, report)

    async def nomination(self, branch_code: str) -> Nomination | None:
        async def read(conn: AsyncConnection) -> Nomination | None:
            return await _current_nomination(conn, branch_code)

        return await self._read(read)

    async def verify(self, branch_code: str, organiser: User, at: datetime) -> Nomination | None:
        """Mark the branch's current nomination verified; None if nothing was reported."""

        async def apply(conn: AsyncConnection) -> Nomination | None:
            return await _mark_nomination(
                conn,
                branch_code,
                organiser,
                at,
                "verify",
                lambda person: {"verified_at": at, "verified_by": person},
            )

        return await self._write(apply)

    async def history(self, branch_code: str) -> list[Mapping[str, Any]]:
        async def read(conn: AsyncConnection) -> list[Mapping[str, Any]]:
            rows = await conn.execute(
                select(t.nomination_history, t.people.c.display_name)
                .select_from(
                    t.nomination_history.outerjoin(
                        t.people, t.people.c.id == t.nomination_history.c.person_id
                    )
                )
                .where(t.nomination_history.c.branch_code == branch_code)
                .order_by(t.nomination_history.c.id)
            )
            return [dict(r._mapping) for r in rows]

        return await self._read(read)

    async def tally(self) -> Tally:
        return await self._shared_read("tally", _read_tally)

    # --- export ------------------------------------------------------------------------

    async def export_nominations(self) -> list[Mapping[str, Any]]:
        async def read(conn: AsyncConnection) -> list[Mapping[str, Any]]:
            rows = await conn.execute(
                _NOMINATION_SELECT.add_columns(
                    t.branches.c.name.label("branch_name"),
                    t.branches.c.group_name,
                    t.branches.c.region,
                )
                .join_from(
                    t.nominations, t.branches, t.branches.c.code == t.nominations.c.branch_code
                )
                .order_by(t.branches.c.name)
            )
            return [dict(r._mapping) for r in rows]

        return await self._read(read)

    async def export_volunteers(self) -> list[Mapping[str, Any]]:
        async def read(conn: AsyncConnection) -> list[Mapping[str, Any]]:
            rows = await conn.execute(
                _VOLUNTEER_SELECT.add_columns(t.branches.c.name.label("branch_name"))
                .join_from(
                    t.volunteers, t.branches, t.branches.c.code == t.volunteers.c.branch_code
                )
                .order_by(t.branches.c.name, t.people.c.display_name)
            )
            return [dict(r._mapping) for r in rows]

        return await self._read(read)

    async def export_meetings(self) -> list[Mapping[str, Any]]:
        async def read(conn: AsyncConnection) -> list[Mapping[str, Any]]:
            latest = (
                select(func.max(t.meetings.c.id))
                .group_by(t.meetings.c.branch_code)
                .scalar_subquery()
            )
            rows = await conn.execute(
                _MEETING_SELECT.add_columns(t.branches.c.name.label("branch_name"))
                .join_from(t.meetings, t.branches, t.branches.c.code == t.meetings.c.branch_code)
                .where(t.meetings.c.id.in_(latest))
                .order_by(t.meetings.c.meeting_date, t.branches.c.name)
            )
            return [dict(r._mapping) for r in rows]

        return await self._read(read)

    # --- questions ---------------------------------------------------------------------

    async def record_unanswered(self, text: str, normalised: str, at: datetime) -> int:
        """Queue a question the bot could not answer; repeats of it add to its count."""
        return await self._writes.submit(_apply_questions, (text[:500], normalised[:500], at))

    async def question(self, question_id: int) -> UnansweredQuestion | None:
        async def read(conn: AsyncConnection) -> UnansweredQuestion | None:
            row = (
                await conn.execute(select(t.questions).where(t.questions.c.id == question_id))
            ).first()
            if row is None:
                return None
            return UnansweredQuestion(
                row.id,
                row.text,
                row.asked_count,
                row.first_asked_at,
                row.last_asked_at,
                row.answered_at,
            )

        return await self._read(read)

    async def add_answer(
        self, question_id: int, answer: str, organiser: User, at: datetime
    ) -> FaqAnswer | None:
        """Answer a queued question; None if it does not exist or is already answered."""

        async def apply(conn: AsyncConnection) -> FaqAnswer | None:
            marked = await conn.execute(
                update(t.questions)
                .where(t.questions.c.id == question_id, t.questions.c.answered_at.is_(None))
                .values(answered_at=at)
            )
            if not marked.rowcount:
                return None
            text = (
                await conn.execute(
                    select(t.questions.c.text).where(t.questions.c.id == question_id)
                )
            ).scalar_one()
            person = await _person_id(conn, organiser, at)
            new_id = (
                await conn.execute(
                    t.faq_answers.insert()
                    .values(
                        question_id=question_id,
                        question=text,
                        answer=answer,
                        created_by=person,
                        created_at=at,
                    )
                    .returning(t.faq_answers.c.id)
                )
            ).scalar_one()
            return FaqAnswer(new_id, question_id, text, answer, at)

        return await self._write(apply)

    async def faq_answers(self) -> list[FaqAnswer]:
        async def read(conn: AsyncConnection) -> list[FaqAnswer]:
            rows = await conn.execute(select(t.faq_answers).order_by(t.faq_answers.c.id))
            return [
                FaqAnswer(r.id, r.question_id, r.question, r.answer, r.created_at) for r in rows
            ]

        return await self._read(read)

    async def unanswered(self, limit: int = 20) -> list[UnansweredQuestion]:
        async def read(conn: AsyncConnection) -> list[UnansweredQuestion]:
            rows = await conn.execute(
                select(t.questions)
                .where(t.questions.c.answered_at.is_(None))
                .order_by(t.questions.c.asked_count.desc(), t.questions.c.last_asked_at.desc())
                .limit(limit)
            )
            return [
                UnansweredQuestion(
                    r.id, r.text, r.asked_count, r.first_asked_at, r.last_asked_at, r.answered_at
                )
                for r in rows
            ]

        return await self._read(read)

    # --- pipeline --------------------------------------------------------------------

    async def branch_facts(self, code: str | None = None) -> list[dict[str, Any]]:
        """Per active branch: volunteers, latest meeting and current nomination."""

        async def read(conn: AsyncConnection) -> list[dict[str, Any]]:
            latest = (
                select(t.meetings.c.branch_code, func.max(t.meetings.c.id).label("id"))
                .group_by(t.meetings.c.branch_code)
                .subquery()
            )
            helpers = (
                select(
                    t.volunteers.c.branch_code,
                    func.count().label("n"),
                    func.min(t.volunteers.c.signed_up_at).label("first"),
                )
                .group_by(t.volunteers.c.branch_code)
                .subquery()
            )
            query = (
                select(
                    t.branches.c.code,
                    t.branches.c.name,
                    t.branches.c.group_name,
                    t.branches.c.region,
                    func.coalesce(helpers.c.n, 0).label("volunteers"),
                    helpers.c.first.label("first_volunteer_at"),
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
                )
                .select_from(
                    t.branches.outerjoin(helpers, helpers.c.branch_code == t.branches.c.code)
                    .outerjoin(latest, latest.c.branch_code == t.branches.c.code)
                    .outerjoin(t.meetings, t.meetings.c.id == latest.c.id)
                    .outerjoin(t.nominations, t.nominations.c.branch_code == t.branches.c.code)
                )
                .where(t.branches.c.active.is_(True))
                .order_by(t.branches.c.name)
            )
            if code is not None:
                query = query.where(t.branches.c.code == code)
            return [dict(r._mapping) for r in await conn.execute(query)]

        if code is None:
            return await self._shared_read("branch-facts", read)
        return await self._read(read)

    async def nomination_timeline(self) -> list[dict[str, Any]]:
        """Every report, correction and verification, oldest first (for the chart)."""

        async def read(conn: AsyncConnection) -> list[dict[str, Any]]:
            rows = await conn.execute(
                select(
                    t.nomination_history.c.branch_code,
                    t.nomination_history.c.action,
                    t.nomination_history.c.outcome,
                    t.nomination_history.c.at,
                )
                .join_from(
                    t.nomination_history,
                    t.branches,
                    t.branches.c.code == t.nomination_history.c.branch_code,
                )
                .where(t.branches.c.active.is_(True))
                .order_by(t.nomination_history.c.id)
            )
            return [dict(r._mapping) for r in rows]

        return await self._read(read)

    async def meetings_of(self, branch_code: str) -> list[Meeting]:
        async def read(conn: AsyncConnection) -> list[Meeting]:
            rows = await conn.execute(
                _MEETING_SELECT.where(t.meetings.c.branch_code == branch_code).order_by(
                    t.meetings.c.id
                )
            )
            return [_meeting(r) for r in rows]

        return await self._read(read)

    async def record_form_sent(
        self, branch_code: str, official: str, user: User, at: datetime
    ) -> Nomination | None:
        """The nomination form went in; None unless the branch reported a nomination."""

        async def apply(conn: AsyncConnection) -> Nomination | None:
            return await _mark_nomination(
                conn,
                branch_code,
                user,
                at,
                "formsent",
                lambda _person: {"form_sent_at": at, "form_official": official},
                nominee=official,
                needs_outcome=OUTCOME_NOMINATED,
            )

        return await self._write(apply)

    async def confirm(self, branch_codes: Sequence[str], at: datetime) -> int:
        """Mark nominations confirmed by the union's official report."""

        async def apply(conn: AsyncConnection) -> int:
            if not branch_codes:
                return 0
            result = await conn.execute(
                update(t.nominations)
                .where(
                    t.nominations.c.branch_code.in_(list(branch_codes)),
                    t.nominations.c.confirmed_at.is_(None),
                )
                .values(confirmed_at=at)
            )
            await conn.execute(
                t.nomination_history.insert(),
                [
                    {"branch_code": code, "action": "confirmed", "platform": "report", "at": at}
                    for code in branch_codes
                ],
            )
            return int(result.rowcount or 0)

        return await self._write(apply)

    async def import_branches(
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
            rows = [
                {
                    "code": b.code,
                    "name": b.name,
                    "group_name": b.group,
                    "region": b.region,
                    "updated_at": at,
                    "active": True,
                }
                for b in [*added, *changed]
            ]
            if rows:
                stmt = _insert(conn, t.branches)
                stmt = stmt.on_conflict_do_update(
                    index_elements=[t.branches.c.code],
                    set_={
                        k: getattr(stmt.excluded, k)
                        for k in ("name", "group_name", "region", "updated_at", "active")
                    },
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

        return await self._write(apply)

    # --- reminders -------------------------------------------------------------------

    async def plan_snapshot(self) -> list[Mapping[str, Any]]:
        """Every volunteer with their branch's state, for the planner."""

        async def read(conn: AsyncConnection) -> list[Mapping[str, Any]]:
            latest = (
                select(t.meetings.c.branch_code, func.max(t.meetings.c.id).label("id"))
                .group_by(t.meetings.c.branch_code)
                .subquery()
            )
            rows = await conn.execute(
                select(
                    t.volunteers,
                    t.people.c.platform,
                    t.people.c.platform_user_id,
                    t.people.c.display_name,
                    t.branches.c.name.label("branch_name"),
                    t.meetings.c.meeting_date,
                    t.nominations.c.outcome,
                )
                .select_from(
                    t.volunteers.join(t.people, t.people.c.id == t.volunteers.c.person_id)
                    .join(t.branches, t.branches.c.code == t.volunteers.c.branch_code)
                    .outerjoin(latest, latest.c.branch_code == t.volunteers.c.branch_code)
                    .outerjoin(t.meetings, t.meetings.c.id == latest.c.id)
                    .outerjoin(
                        t.nominations, t.nominations.c.branch_code == t.volunteers.c.branch_code
                    )
                )
                .order_by(t.volunteers.c.person_id)
            )
            return [dict(r._mapping) for r in rows]

        return await self._read(read)

    async def broadcast_channels(self) -> list[Mapping[str, Any]]:
        async def read(conn: AsyncConnection) -> list[Mapping[str, Any]]:
            rows = await conn.execute(select(t.broadcast_channels))
            return [dict(r._mapping) for r in rows]

        return await self._read(read)

    async def subscribe_channel(
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
            person = await _person_id(conn, user, at)
            stmt = _insert(conn, t.broadcast_channels).values(
                platform=platform, channel_id=channel_id, subscribed_by=person, subscribed_at=at
            )
            result = await conn.execute(stmt.on_conflict_do_nothing())
            return bool(result.rowcount)

        return await self._write(apply)

    async def claim_deliveries(self, items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        """Record each message as pending before it is sent; return each one's record.

        A message already recorded keeps its record (and its status): the unique key
        (rule, recipient, occurrence) is what stops a second send, on every backend.
        """
        return await self._writes.submit(_apply_claims, list(items))

    async def finish_delivery(
        self,
        delivery_id: int,
        status: str,
        at: datetime,
        detail: str | None = None,
        ref: str | None = None,
    ) -> None:
        await self._writes.submit(
            _apply_finishes,
            {"b_id": delivery_id, "b_status": status, "b_at": at, "b_detail": detail, "b_ref": ref},
        )

    async def give_up_pending(self, before: datetime, at: datetime) -> int:
        """Messages still pending after their catch-up window: failed, with the reason."""

        async def apply(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(t.deliveries)
                .where(t.deliveries.c.status == "pending", t.deliveries.c.due_at < before)
                .values(
                    status="failed",
                    detail="gave up: still failing after the catch-up window",
                    updated_at=at,
                )
            )
            return int(result.rowcount or 0)

        return await self._write(apply)

    async def sent_to_on(
        self, recipients: Sequence[str], start: datetime, end: datetime
    ) -> set[str]:
        """Which of `recipients` were sent a message due in [start, end)."""

        async def read(conn: AsyncConnection) -> set[str]:
            rows = await conn.execute(
                select(t.deliveries.c.recipient)
                .distinct()
                .where(
                    t.deliveries.c.recipient.in_(list(recipients)),
                    t.deliveries.c.status == "sent",
                    t.deliveries.c.due_at >= start,
                    t.deliveries.c.due_at < end,
                )
            )
            return {row.recipient for row in rows}

        return await self._read(read)

    async def deliveries(self, status: str | None = None) -> list[Mapping[str, Any]]:
        async def read(conn: AsyncConnection) -> list[Mapping[str, Any]]:
            query = select(t.deliveries).order_by(t.deliveries.c.id)
            if status is not None:
                query = query.where(t.deliveries.c.status == status)
            return [dict(r._mapping) for r in await conn.execute(query)]

        return await self._read(read)

    async def state_value(self, key: str) -> str | None:
        async def read(conn: AsyncConnection) -> str | None:
            return (
                await conn.execute(
                    select(t.scheduler_state.c.value).where(t.scheduler_state.c.key == key)
                )
            ).scalar_one_or_none()

        return await self._read(read)

    async def set_state_value(self, key: str, value: str) -> None:
        async def apply(conn: AsyncConnection) -> None:
            stmt = _insert(conn, t.scheduler_state).values(key=key, value=value)
            await conn.execute(
                stmt.on_conflict_do_update(
                    index_elements=[t.scheduler_state.c.key], set_={"value": stmt.excluded.value}
                )
            )

        await self._write(apply)

    async def snooze(self, user: User, until: datetime) -> bool:
        async def apply(conn: AsyncConnection) -> bool:
            person = await _find_person(conn, user)
            if person is None:
                return False
            result = await conn.execute(
                update(t.volunteers)
                .where(t.volunteers.c.person_id == person)
                .values(snoozed_until=until)
            )
            return bool(result.rowcount)

        return await self._write(apply)

    async def mark_undeliverable(self, person_id: int, at: datetime) -> None:
        async def apply(conn: AsyncConnection) -> None:
            await conn.execute(
                update(t.volunteers)
                .where(t.volunteers.c.person_id == person_id)
                .values(undeliverable_at=at)
            )

        await self._write(apply)

    async def ask_for_help(self, user: User, branch_code: str | None, at: datetime) -> int:
        async def apply(conn: AsyncConnection) -> int:
            person = await _person_id(conn, user, at)
            result = await conn.execute(
                t.help_requests.insert()
                .values(person_id=person, branch_code=branch_code, asked_at=at)
                .returning(t.help_requests.c.id)
            )
            return int(result.scalar_one())

        return await self._write(apply)

    async def digest_facts(self, since: datetime, today: date) -> dict[str, Any]:
        """What the organisers' daily digest reports."""

        async def read(conn: AsyncConnection) -> dict[str, Any]:
            reports = [
                dict(r._mapping)
                for r in await conn.execute(
                    select(
                        t.nomination_history.c.branch_code,
                        t.nomination_history.c.outcome,
                        t.branches.c.name,
                    )
                    .join_from(
                        t.nomination_history,
                        t.branches,
                        t.branches.c.code == t.nomination_history.c.branch_code,
                    )
                    .where(
                        t.nomination_history.c.at >= since,
                        t.nomination_history.c.action != "verify",
                    )
                    .order_by(t.nomination_history.c.id)
                )
            ]
            latest = (
                select(func.max(t.meetings.c.id))
                .group_by(t.meetings.c.branch_code)
                .scalar_subquery()
            )
            stuck = [
                r.name
                for r in await conn.execute(
                    select(t.branches.c.name)
                    .join_from(
                        t.meetings, t.branches, t.branches.c.code == t.meetings.c.branch_code
                    )
                    .where(
                        t.meetings.c.id.in_(latest),
                        t.meetings.c.meeting_date < today,
                        ~select(t.nominations.c.branch_code)
                        .where(t.nominations.c.branch_code == t.meetings.c.branch_code)
                        .exists(),
                    )
                    .order_by(t.meetings.c.meeting_date)
                )
            ]
            undeliverable = await _count(
                conn, t.volunteers, t.volunteers.c.undeliverable_at.is_not(None)
            )
            unanswered = await _count(conn, t.questions, t.questions.c.answered_at.is_(None))
            help_rows = [
                dict(r._mapping)
                for r in await conn.execute(
                    select(
                        t.people.c.display_name, t.people.c.platform, t.help_requests.c.branch_code
                    )
                    .join_from(
                        t.help_requests, t.people, t.people.c.id == t.help_requests.c.person_id
                    )
                    .where(t.help_requests.c.handled_at.is_(None))
                    .order_by(t.help_requests.c.id)
                )
            ]
            return {
                "reports": reports,
                "stuck": stuck,
                "undeliverable": undeliverable,
                "unanswered": unanswered,
                "help": help_rows,
            }

        return await self._read(read)

    # --- audit -----------------------------------------------------------------------

    async def audit(self, user: User | None, action: str, detail: str | None, at: datetime) -> None:
        """Record an organiser action (or a refusal), with who and when."""

        async def apply(conn: AsyncConnection) -> None:
            person = await _person_id(conn, user, at) if user is not None else None
            await conn.execute(
                t.audit_log.insert().values(
                    at=at,
                    person_id=person,
                    platform=user.platform if user else "cli",
                    action=action[:40],
                    detail=detail[:300] if detail else None,
                )
            )

        await self._write(apply)

    async def audit_entries(self, limit: int = 20) -> list[dict[str, Any]]:
        async def read(conn: AsyncConnection) -> list[dict[str, Any]]:
            rows = await conn.execute(
                select(t.audit_log, t.people.c.display_name)
                .select_from(
                    t.audit_log.outerjoin(t.people, t.people.c.id == t.audit_log.c.person_id)
                )
                .order_by(t.audit_log.c.id.desc())
                .limit(limit)
            )
            return [dict(r._mapping) for r in rows]

        return await self._read(read)

    # --- erasure -----------------------------------------------------------------------

    async def personal_data(self, user: User) -> dict[str, Any] | None:
        """Everything stored that is about `user`, or None if nothing is."""

        async def read(conn: AsyncConnection) -> dict[str, Any] | None:
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

            async def rows(query: Any) -> list[dict[str, Any]]:
                return [dict(r._mapping) for r in await conn.execute(query)]

            return {
                "person": dict(person._mapping),
                "volunteer": next(
                    iter(
                        await rows(
                            select(t.volunteers, t.branches.c.name.label("branch_name"))
                            .join_from(
                                t.volunteers,
                                t.branches,
                                t.branches.c.code == t.volunteers.c.branch_code,
                            )
                            .where(t.volunteers.c.person_id == pid)
                        )
                    ),
                    None,
                ),
                "meetings": await rows(
                    select(t.meetings)
                    .where(t.meetings.c.reported_by == pid)
                    .order_by(t.meetings.c.id)
                ),
                "reports": await rows(
                    select(t.nomination_history)
                    .where(t.nomination_history.c.person_id == pid)
                    .order_by(t.nomination_history.c.id)
                ),
                "help": await rows(
                    select(t.help_requests).where(t.help_requests.c.person_id == pid)
                ),
                "reminders": await _count(
                    conn,
                    t.deliveries,
                    and_(t.deliveries.c.person_id == pid, t.deliveries.c.status == "sent"),
                ),
                "audit": await _count(conn, t.audit_log, t.audit_log.c.person_id == pid),
            }

        return await self._read(read)

    async def forget(self, user: User) -> Erasure:
        """Erase everything held about `user`; their reports stay, with no name attached."""

        async def apply(conn: AsyncConnection) -> Erasure:
            person = await _find_person(conn, user)
            if person is None:
                return Erasure(found=False)
            branch = (
                await conn.execute(
                    select(t.volunteers.c.branch_code).where(t.volunteers.c.person_id == person)
                )
            ).scalar_one_or_none()
            reports = await _count(
                conn,
                t.nomination_history,
                and_(
                    t.nomination_history.c.person_id == person,
                    t.nomination_history.c.action != "verify",
                ),
            )
            verifications = await _count(
                conn,
                t.nomination_history,
                and_(
                    t.nomination_history.c.person_id == person,
                    t.nomination_history.c.action == "verify",
                ),
            )
            meetings = await _count(conn, t.meetings, t.meetings.c.reported_by == person)
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

        return await self._write(apply)

    async def purge(self, dry_run: bool = False) -> dict[str, int]:
        """Delete all personal data, keeping the anonymous records that tallies count.

        People go (with their sign-ups, help requests and reminders); their meetings,
        reports and verifications stay with no name attached. Reminder records and the
        questions people typed go too.
        """

        async def counts(conn: AsyncConnection) -> dict[str, int]:
            return {
                "people": await _count(conn, t.people, literal(True)),
                "volunteers": await _count(conn, t.volunteers, literal(True)),
                "help requests": await _count(conn, t.help_requests, literal(True)),
                "reminder records": await _count(conn, t.deliveries, literal(True)),
                "questions": await _count(conn, t.questions, literal(True)),
            }

        if dry_run:
            return await self._read(counts)

        async def apply(conn: AsyncConnection) -> dict[str, int]:
            found = await counts(conn)
            await conn.execute(delete(t.deliveries))
            await conn.execute(delete(t.help_requests))
            await conn.execute(delete(t.questions))
            await conn.execute(delete(t.people))  # foreign keys clear every reference
            return found

        return await self._write(apply)

    async def table_rows(self, table: str) -> list[tuple[Any, ...]]:
        """Every row of one table, for audits and tests of erasure."""
        target = t.metadata.tables[table]

        async def read(conn: AsyncConnection) -> list[tuple[Any, ...]]:
            return [tuple(r) for r in await conn.execute(select(target))]

        return await self._read(read)


# --- batch functions run by the write queue -------------------------------------------


async def _current_nomination(conn: AsyncConnection, branch_code: str) -> Nomination | None:
    row = (
        await conn.execute(_NOMINATION_SELECT.where(t.nominations.c.branch_code == branch_code))
    ).first()
    return _nomination(row) if row else None


async def _mark_nomination(
    conn: AsyncConnection,
    branch_code: str,
    user: User,
    at: datetime,
    action: str,
    values: Callable[[int], dict[str, Any]],
    *,
    nominee: str | None = None,
    needs_outcome: str | None = None,
) -> Nomination | None:
    """Set `values(person)` on the branch's current nomination and log `action` in its
    history; None if there is no nomination (or not one with `needs_outcome`)."""
    current = (
        await conn.execute(
            select(t.nominations.c.outcome, t.nominations.c.nominee).where(
                t.nominations.c.branch_code == branch_code
            )
        )
    ).first()
    if current is None or (needs_outcome is not None and current.outcome != needs_outcome):
        return None
    person = await _person_id(conn, user, at)
    await conn.execute(
        update(t.nominations)
        .where(t.nominations.c.branch_code == branch_code)
        .values(**values(person))
    )
    await conn.execute(
        t.nomination_history.insert().values(
            branch_code=branch_code,
            action=action,
            outcome=current.outcome,
            nominee=current.nominee if nominee is None else nominee,
            person_id=person,
            platform=user.platform,
            at=at,
        )
    )
    return await _current_nomination(conn, branch_code)


async def _run_each(
    conn: AsyncConnection, fns: Sequence[Callable[[AsyncConnection], Awaitable[Any]]]
) -> list[Any]:
    return [await fn(conn) for fn in fns]


async def _count(conn: AsyncConnection, table: Any, where: Any) -> int:
    return int(
        (await conn.execute(select(func.count()).select_from(table).where(where))).scalar_one()
    )


async def _latest_meeting(conn: AsyncConnection, branch_code: str) -> Meeting | None:
    row = (
        await conn.execute(
            _MEETING_SELECT.where(t.meetings.c.branch_code == branch_code)
            .order_by(t.meetings.c.id.desc())
            .limit(1)
        )
    ).first()
    return _meeting(row) if row else None


async def _apply_sign_ups(
    conn: AsyncConnection, requests: Sequence[_SignUpRequest]
) -> list[SignUp]:
    results = []
    for request in requests:
        person = await _person_id(conn, request.user, request.at)
        existing = (
            await conn.execute(select(t.volunteers).where(t.volunteers.c.person_id == person))
        ).first()
        if existing is None:
            await conn.execute(
                t.volunteers.insert().values(
                    person_id=person,
                    branch_code=request.branch_code,
                    consent_at=request.at,
                    consent_text=request.consent_text,
                    opted_out=False,
                    signed_up_at=request.at,
                )
            )
        else:
            await conn.execute(
                update(t.volunteers)
                .where(t.volunteers.c.person_id == person)
                .values(
                    branch_code=request.branch_code,
                    consent_at=request.at,
                    consent_text=request.consent_text,
                )
            )
        row = (
            await conn.execute(_VOLUNTEER_SELECT.where(t.volunteers.c.person_id == person))
        ).one()
        previous = existing.branch_code if existing is not None else None
        results.append(
            SignUp(
                volunteer=_volunteer(row),
                previous_branch=previous if previous != request.branch_code else None,
                already=previous == request.branch_code,
            )
        )
    return results


async def _apply_meetings(
    conn: AsyncConnection, requests: Sequence[_MeetingRequest]
) -> list[MeetingResult]:
    results = []
    people = await _person_ids(conn, (r.user for r in requests), requests[0].at)
    for request in requests:
        previous = await _latest_meeting(conn, request.branch_code)
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
        meeting = await _latest_meeting(conn, request.branch_code)
        assert meeting is not None
        results.append(MeetingResult(meeting=meeting, previous=previous))
    return results


async def _apply_nominations(
    conn: AsyncConnection, reports: Sequence[NominationReport]
) -> list[NominationResult]:
    """Apply many reports with a fixed number of statements, whatever their number."""
    people = await _person_ids(conn, (r.reporter for r in reports), reports[0].at)
    codes = sorted({r.branch_code for r in reports})
    rows = await conn.execute(_NOMINATION_SELECT.where(t.nominations.c.branch_code.in_(codes)))
    state: dict[str, Nomination | None] = dict.fromkeys(codes)
    for row in rows:
        state[row.branch_code] = _nomination(row)
    latest = (
        select(func.max(t.meetings.c.id))
        .where(t.meetings.c.branch_code.in_(codes))
        .group_by(t.meetings.c.branch_code)
    )
    called = {
        row.branch_code: row.meeting_date
        for row in await conn.execute(
            select(t.meetings.c.branch_code, t.meetings.c.meeting_date).where(
                t.meetings.c.id.in_(latest)
            )
        )
    }

    history: list[dict[str, Any]] = []
    results: list[NominationResult] = []
    counts: dict[str, int] = {}
    dates: dict[str, date | None] = {}
    for report in reports:
        previous = state[report.branch_code]
        keep_verification = previous is not None and _same_result(
            previous, report.outcome, report.nominee
        )
        meeting_date = (
            report.meeting_date
            or called.get(report.branch_code)
            or (previous.meeting_date if previous else None)
        )
        current = Nomination(
            branch_code=report.branch_code,
            outcome=report.outcome,
            nominee=report.nominee,
            meeting_date=meeting_date,
            reported_by=report.reporter.display_name,
            platform=report.reporter.platform,
            reported_at=report.at,
            report_count=(previous.report_count if previous else 0) + 1,
            verified_at=previous.verified_at if keep_verification and previous else None,
            verified_by=previous.verified_by if keep_verification and previous else None,
            form_sent_at=previous.form_sent_at if keep_verification and previous else None,
            form_official=previous.form_official if keep_verification and previous else None,
            confirmed_at=previous.confirmed_at if keep_verification and previous else None,
        )
        state[report.branch_code] = current
        dates[report.branch_code] = meeting_date
        counts[report.branch_code] = counts.get(report.branch_code, 0) + 1
        history.append(
            {
                "branch_code": report.branch_code,
                "action": "report" if previous is None else "correction",
                "outcome": report.outcome,
                "nominee": report.nominee,
                "meeting_date": meeting_date,
                "person_id": people[report.reporter.key],
                "platform": report.reporter.platform,
                "at": report.at,
            }
        )
        results.append(NominationResult(nomination=current, previous=previous))

    await conn.execute(t.nomination_history.insert(), history)

    last = {r.branch_code: r for r in reports}
    values = [
        {
            "branch_code": code,
            "outcome": r.outcome,
            "nominee": r.nominee,
            "meeting_date": dates[code],
            "reported_by": people[r.reporter.key],
            "platform": r.reporter.platform,
            "reported_at": r.at,
            "report_count": counts[code],
            "verified_at": None,
            "verified_by": None,
        }
        for code, r in last.items()
    ]
    stmt = _insert(conn, t.nominations)
    existing = t.nominations.c
    new = stmt.excluded
    unchanged = and_(
        existing.outcome == new.outcome,
        func.coalesce(existing.nominee, literal("")) == func.coalesce(new.nominee, literal("")),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[existing.branch_code],
        set_={
            "outcome": new.outcome,
            "nominee": new.nominee,
            "meeting_date": func.coalesce(new.meeting_date, existing.meeting_date),
            "reported_by": new.reported_by,
            "platform": new.platform,
            "reported_at": new.reported_at,
            "report_count": existing.report_count + new.report_count,
            "verified_at": case((unchanged, existing.verified_at), else_=None),
            "verified_by": case((unchanged, existing.verified_by), else_=None),
            "form_sent_at": case((unchanged, existing.form_sent_at), else_=None),
            "form_official": case((unchanged, existing.form_official), else_=None),
            "confirmed_at": case((unchanged, existing.confirmed_at), else_=None),
        },
    )
    await conn.execute(stmt, values)
    total = await _count(conn, t.nominations, t.nominations.c.outcome == OUTCOME_NOMINATED)
    return [replace(result, nominated_total=total) for result in results]


async def _apply_questions(
    conn: AsyncConnection, asked: Sequence[tuple[str, str, datetime]]
) -> list[int]:
    counts: dict[str, int] = {}
    first: dict[str, tuple[str, datetime]] = {}
    for text, normalised, at in asked:
        counts[normalised] = counts.get(normalised, 0) + 1
        first.setdefault(normalised, (text, at))
    values = [
        {
            "text": first[key][0],
            "normalised": key,
            "asked_count": count,
            "first_asked_at": first[key][1],
            "last_asked_at": max(at for _, n, at in asked if n == key),
        }
        for key, count in counts.items()
    ]
    stmt = _insert(conn, t.questions)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.questions.c.normalised],
        set_={
            "asked_count": t.questions.c.asked_count + stmt.excluded.asked_count,
            "last_asked_at": stmt.excluded.last_asked_at,
        },
    )
    await conn.execute(stmt, values)
    ids = {
        row.normalised: row.id
        for row in await conn.execute(
            select(t.questions.c.id, t.questions.c.normalised).where(
                t.questions.c.normalised.in_(list(counts))
            )
        )
    }
    return [ids[normalised] for _, normalised, _ in asked]


# Free-text columns where a person's name can appear in what somebody typed.
_FREE_TEXT = (
    (t.questions, ("text", "normalised")),
    (t.faq_answers, ("question", "answer")),
    (t.audit_log, ("detail",)),
    (t.nomination_history, ("nominee",)),
    (t.nominations, ("nominee", "form_official")),
)
ERASED = "[erased]"


async def _scrub(conn: AsyncConnection, words: Sequence[str]) -> None:
    """Replace `words` (names, ids) wherever they appear in free text, ignoring case."""
    import re

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


async def _apply_finishes(
    conn: AsyncConnection, finishes: Sequence[Mapping[str, Any]]
) -> list[None]:
    await conn.execute(
        update(t.deliveries)
        .where(t.deliveries.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            updated_at=bindparam("b_at", type_=t.UTCDateTime()),
            detail=bindparam("b_detail"),
            message_ref=bindparam("b_ref"),
            attempts=t.deliveries.c.attempts + 1,
        ),
        [dict(f) for f in finishes],
    )
    return [None] * len(finishes)


async def _apply_claims(
    conn: AsyncConnection, batches: Sequence[list[Mapping[str, Any]]]
) -> list[list[Mapping[str, Any]]]:
    results: list[list[Mapping[str, Any]]] = []
    for items in batches:
        if not items:
            results.append([])
            continue
        stmt = _insert(conn, t.deliveries).on_conflict_do_nothing(
            index_elements=[
                t.deliveries.c.rule_id,
                t.deliveries.c.recipient,
                t.deliveries.c.occurrence,
            ]
        )
        await conn.execute(stmt, [dict(item) for item in items])
        keys = [(i["rule_id"], i["recipient"], i["occurrence"]) for i in items]
        rows: dict[tuple[str, str, str], Mapping[str, Any]] = {
            (r.rule_id, r.recipient, r.occurrence): dict(r._mapping)
            for r in await conn.execute(
                select(t.deliveries).where(
                    tuple_(
                        t.deliveries.c.rule_id, t.deliveries.c.recipient, t.deliveries.c.occurrence
                    ).in_(keys)
                )
            )
        }
        results.append([rows[key] for key in keys])
    return results


async def _read_tally(conn: AsyncConnection) -> Tally:
    rows = await conn.execute(
        select(
            t.nominations.c.outcome,
            t.nominations.c.nominee,
            (t.nominations.c.verified_at.is_not(None)).label("verified"),
            func.count().label("n"),
        ).group_by(
            t.nominations.c.outcome,
            t.nominations.c.nominee,
            t.nominations.c.verified_at.is_not(None),
        )
    )
    nominated = verified = other = none = inquorate = 0
    by_nominee: dict[str, int] = {}
    for row in rows:
        if row.outcome == OUTCOME_NOMINATED:
            nominated += row.n
            verified += row.n if row.verified else 0
        elif row.outcome == OUTCOME_OTHER:
            other += row.n
            name = row.nominee or ""
            by_nominee[name] = by_nominee.get(name, 0) + row.n
        elif row.outcome in (OUTCOME_NONE, OUTCOME_INQUORATE):
            none += row.n
            inquorate += row.n if row.outcome == OUTCOME_INQUORATE else 0
    with_meeting = select(t.meetings.c.branch_code).distinct().subquery()
    meetings_row = (
        await conn.execute(
            select(
                select(func.count()).select_from(with_meeting).scalar_subquery(),
                select(func.count())
                .select_from(with_meeting)
                .where(
                    ~select(t.nominations.c.branch_code)
                    .where(t.nominations.c.branch_code == with_meeting.c.branch_code)
                    .exists()
                )
                .scalar_subquery(),
                select(func.count()).select_from(t.branches).scalar_subquery(),
            )
        )
    ).one()
    return Tally(
        nominated=nominated,
        nominated_verified=verified,
        other=other,
        other_by_nominee=by_nominee,
        no_nomination=none,
        inquorate=inquorate,
        branches_with_meeting=int(meetings_row[0]),
        meetings_awaiting_outcome=int(meetings_row[1]),
        branches_total=int(meetings_row[2]),
    )
