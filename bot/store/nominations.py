"""Nominations: what branch meetings decided, the checks on it, its history and the tally.

The rule for a correction (the same result keeps its checks) lives in
`Nomination.after`; this module only reads the current state and writes the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, case, func, null, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import (
    HistoryEvent,
    Nomination,
    NominationReport,
    NominationResult,
    Outcome,
    Tally,
    User,
)
from bot.store import schema as t
from bot.store.base import (
    LATEST_MEETING,
    Aggregate,
    count,
    person_id,
    person_ids,
    reporter,
    serialise,
    upsert,
    verifier,
)

NOMINATION_SELECT = select(
    t.nominations,
    reporter.c.display_name.label("reporter_name"),
    verifier.c.display_name.label("verifier_name"),
).select_from(
    t.nominations.outerjoin(reporter, reporter.c.id == t.nominations.c.reported_by).outerjoin(
        verifier, verifier.c.id == t.nominations.c.verified_by
    )
)


def nomination_from(row: Row[Any]) -> Nomination:
    return Nomination(
        branch_code=row.branch_code,
        outcome=Outcome(row.outcome),
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


def history_from(row: Row[Any], display_name: str | None = None) -> HistoryEvent:
    return HistoryEvent(
        branch_code=row.branch_code,
        action=row.action,
        outcome=row.outcome,
        nominee=row.nominee,
        meeting_date=row.meeting_date,
        platform=row.platform,
        at=row.at,
        display_name=display_name,
    )


class Nominations(Aggregate):
    async def record(self, report: NominationReport) -> NominationResult:
        return await self.core.batch(_apply_nominations, report)

    async def current(self, branch_code: str) -> Nomination | None:
        async def read(conn: AsyncConnection) -> Nomination | None:
            return await _current(conn, branch_code)

        return await self.core.read(read)

    async def verify(self, branch_code: str, organiser: User, at: datetime) -> Nomination | None:
        """Mark the branch's current nomination verified; None if nothing was reported."""
        return await self._mark(
            branch_code,
            organiser,
            at,
            "verify",
            lambda person: {"verified_at": at, "verified_by": person},
        )

    async def form_sent(
        self,
        branch_code: str,
        official: str,
        user: User,
        at: datetime,
        sent: datetime | None = None,
    ) -> Nomination | None:
        """The nomination form went in (at `sent`, by default when reported, `at`);
        None unless the branch reported a nomination."""
        went = sent or at
        return await self._mark(
            branch_code,
            user,
            at,
            "formsent",
            lambda _person: {"form_sent_at": went, "form_official": official},
            nominee=official,
            needs_outcome=Outcome.NOMINATED,
        )

    async def _mark(
        self,
        branch_code: str,
        user: User,
        at: datetime,
        action: str,
        values: Callable[[int], dict[str, object]],
        *,
        nominee: str | None = None,
        needs_outcome: Outcome | None = None,
    ) -> Nomination | None:
        """Set `values(person)` on the current nomination and log `action` in its history;
        None if there is no nomination (or not one with `needs_outcome`)."""

        async def apply(conn: AsyncConnection) -> Nomination | None:
            await serialise(conn, "nominations")
            current = await _current(conn, branch_code)
            if current is None or (needs_outcome is not None and current.outcome != needs_outcome):
                return None
            person = await person_id(conn, user, at)
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
            return await _current(conn, branch_code)

        return await self.core.write(apply)

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

        return await self.core.write(apply)

    async def history(self, branch_code: str) -> list[HistoryEvent]:
        async def read(conn: AsyncConnection) -> list[HistoryEvent]:
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
            return [history_from(r, r.display_name) for r in rows]

        return await self.core.read(read)

    async def timeline(self) -> list[HistoryEvent]:
        """Every report, correction and check, oldest first (retired branches' too: a
        replaced branch list changes no count)."""

        async def read(conn: AsyncConnection) -> list[HistoryEvent]:
            rows = await conn.execute(
                select(t.nomination_history).order_by(t.nomination_history.c.id)
            )
            return [history_from(r) for r in rows]

        return await self.core.read(read)

    async def tally(self) -> Tally:
        return await self.core.shared_read("tally", _read_tally)


async def _current(conn: AsyncConnection, branch_code: str) -> Nomination | None:
    row = (
        await conn.execute(NOMINATION_SELECT.where(t.nominations.c.branch_code == branch_code))
    ).first()
    return nomination_from(row) if row else None


async def _apply_nominations(
    conn: AsyncConnection, reports: Sequence[NominationReport]
) -> list[NominationResult]:
    """Apply many reports with a fixed number of statements, whatever their number."""
    await serialise(conn, "nominations")
    people = await person_ids(conn, (r.reporter for r in reports), reports[0].at)
    codes = sorted({r.branch_code for r in reports})
    state: dict[str, Nomination | None] = dict.fromkeys(codes)
    for row in await conn.execute(NOMINATION_SELECT.where(t.nominations.c.branch_code.in_(codes))):
        state[row.branch_code] = nomination_from(row)
    called = {
        row.branch_code: row.meeting_date
        for row in await conn.execute(
            select(t.meetings.c.branch_code, t.meetings.c.meeting_date)
            .join(LATEST_MEETING, LATEST_MEETING.c.id == t.meetings.c.id)
            .where(t.meetings.c.branch_code.in_(codes))
        )
    }
    history: list[dict[str, object]] = []
    results: list[NominationResult] = []
    reporters: dict[str, int] = {}
    for report in reports:
        previous = state[report.branch_code]
        meeting_date: date | None = (
            report.meeting_date
            or called.get(report.branch_code)
            or (previous.meeting_date if previous else None)
        )
        current = Nomination.after(previous, report, meeting_date)
        state[report.branch_code] = current
        reporters[report.branch_code] = people[report.reporter.key]
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
    values = []
    for code, final in state.items():
        assert final is not None
        values.append(
            {
                "branch_code": code,
                "outcome": final.outcome,
                "nominee": final.nominee,
                "meeting_date": final.meeting_date,
                "reported_by": reporters[code],
                "platform": final.platform,
                "reported_at": final.reported_at,
                "report_count": final.report_count,
                "verified_at": final.verified_at,
                "form_sent_at": final.form_sent_at,
                "form_official": final.form_official,
                "confirmed_at": final.confirmed_at,
            }
        )
    stmt = upsert(conn, t.nominations)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.nominations.c.branch_code],
        set_={
            **{
                c.name: getattr(stmt.excluded, c.name)
                for c in t.nominations.c
                if c.name not in ("branch_code", "verified_by")
            },
            # The record holds the verifier's name; their row stays while the check does.
            "verified_by": case(
                (stmt.excluded.verified_at.is_(None), null()), else_=t.nominations.c.verified_by
            ),
        },
    )
    await conn.execute(stmt, values)
    total = await count(conn, t.nominations, t.nominations.c.outcome == Outcome.NOMINATED)
    return [replace(result, nominated_total=total) for result in results]


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
        if row.outcome == Outcome.NOMINATED:
            nominated += row.n
            verified += row.n if row.verified else 0
        elif row.outcome == Outcome.OTHER:
            other += row.n
            name = row.nominee or ""
            by_nominee[name] = by_nominee.get(name, 0) + row.n
        elif row.outcome in (Outcome.NONE, Outcome.INQUORATE):
            none += row.n
            inquorate += row.n if row.outcome == Outcome.INQUORATE else 0
    with_meeting = select(LATEST_MEETING.c.branch_code).subquery()  # not cancelled
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
