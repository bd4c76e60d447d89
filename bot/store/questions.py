"""Questions the bot could not answer, and the answers organisers gave them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import FaqAnswer, Queued, UnansweredQuestion, User
from bot.store import schema as t
from bot.store.base import Aggregate, count, person_id, person_ids, upsert

MAX_TEXT = 500
OPEN_PER_ASKER = 20  # open questions one person may have in the queue
OPEN_IN_ALL = 2000  # open questions in the queue, everyone's together


def _question(row: Row[Any]) -> UnansweredQuestion:
    return UnansweredQuestion(
        row.id,
        row.text,
        row.asked_count,
        row.first_asked_at,
        row.last_asked_at,
        row.answered_at,
        int(row.askers or 0),
    )


_ASKERS = (
    select(t.question_askers.c.question_id, func.count().label("askers"))
    .group_by(t.question_askers.c.question_id)
    .subquery()
)
_QUESTION_SELECT = select(t.questions, _ASKERS.c.askers).select_from(
    t.questions.outerjoin(_ASKERS, _ASKERS.c.question_id == t.questions.c.id)
)


class Questions(Aggregate):
    async def record_unanswered(
        self, text: str, normalised: str, asker: User, at: datetime
    ) -> Queued:
        """Queue a question the bot could not answer, with who asked it; a repeat of an
        open question adds to its count. A new question is not kept if the asker already
        has OPEN_PER_ASKER open, or the queue OPEN_IN_ALL."""
        return await self.core.batch(
            _apply_questions, _Asked(text[:MAX_TEXT], normalised[:MAX_TEXT], asker, at)
        )

    async def get(self, question_id: int) -> UnansweredQuestion | None:
        async def read(conn: AsyncConnection) -> UnansweredQuestion | None:
            row = (
                await conn.execute(_QUESTION_SELECT.where(t.questions.c.id == question_id))
            ).first()
            return _question(row) if row else None

        return await self.core.read(read)

    async def unanswered(self, limit: int = 20) -> list[UnansweredQuestion]:
        async def read(conn: AsyncConnection) -> list[UnansweredQuestion]:
            rows = await conn.execute(
                _QUESTION_SELECT.where(t.questions.c.answered_at.is_(None))
                .order_by(t.questions.c.asked_count.desc(), t.questions.c.last_asked_at.desc())
                .limit(limit)
            )
            return [_question(r) for r in rows]

        return await self.core.read(read)

    async def add_answer(
        self,
        question_id: int,
        answer: str,
        organiser: User,
        at: datetime,
        wording: str | None = None,
    ) -> FaqAnswer | None:
        """Answer a queued question, worded as `wording` (else as it was asked), with who
        answered it; None if it does not exist or is already answered."""

        async def apply(conn: AsyncConnection) -> FaqAnswer | None:
            marked = await conn.execute(
                update(t.questions)
                .where(t.questions.c.id == question_id, t.questions.c.answered_at.is_(None))
                .values(answered_at=at)
            )
            if not marked.rowcount:
                return None
            text = (
                wording
                or (
                    await conn.execute(
                        select(t.questions.c.text).where(t.questions.c.id == question_id)
                    )
                ).scalar_one()
            )
            person = await person_id(conn, organiser, at)
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

        return await self.core.write(apply)

    async def askers(self, question_id: int) -> list[User]:
        """Who asked the question (people since erased are gone from the list)."""

        async def read(conn: AsyncConnection) -> list[User]:
            rows = await conn.execute(
                select(t.people.c.platform, t.people.c.platform_user_id, t.people.c.display_name)
                .join_from(
                    t.question_askers, t.people, t.people.c.id == t.question_askers.c.person_id
                )
                .where(t.question_askers.c.question_id == question_id)
                .order_by(t.question_askers.c.asked_at)
            )
            return [User(r.platform, r.platform_user_id, r.display_name) for r in rows]

        return await self.core.read(read)

    async def answers(self) -> list[FaqAnswer]:
        """The answers organisers have added, oldest first."""

        async def read(conn: AsyncConnection) -> list[FaqAnswer]:
            rows = await conn.execute(select(t.faq_answers).order_by(t.faq_answers.c.id))
            return [
                FaqAnswer(r.id, r.question_id, r.question, r.answer, r.created_at) for r in rows
            ]

        return await self.core.read(read)


@dataclass(frozen=True, slots=True)
class _Asked:
    text: str
    normalised: str
    asker: User
    at: datetime


async def _apply_questions(conn: AsyncConnection, asked: Sequence[_Asked]) -> list[Queued]:
    """Queue a batch of unanswered questions: the same question asked again (by anyone)
    is counted on its row; each asker is remembered once per question. A statement per
    distinct question, not per ask: many people ask the same thing at once."""
    people = await person_ids(conn, (a.asker for a in asked), asked[0].at)
    is_open = t.questions.c.answered_at.is_(None)
    in_all = await count(conn, t.questions, is_open)
    rows = await conn.execute(
        select(t.questions.c.id, t.questions.c.normalised, t.questions.c.answered_at).where(
            t.questions.c.normalised.in_(sorted({a.normalised for a in asked}))
        )
    )
    known: dict[str, tuple[int, bool]] = {
        r.normalised: (int(r.id), r.answered_at is None) for r in rows
    }
    again: dict[int, tuple[int, datetime]] = {}  # open question: asks to add, latest
    askers: dict[tuple[int, int], datetime] = {}
    added: dict[int, int] = {}  # per person: questions joined in this batch
    results: list[Queued] = []
    for ask in asked:
        person = people[ask.asker.key]
        existing = known.get(ask.normalised)
        if existing is not None and not existing[1]:
            results.append(Queued(None, "answered"))  # answered since: nothing to queue
            continue
        if existing is not None:
            question = existing[0]
            times, latest = again.get(question, (0, ask.at))
            again[question] = (times + 1, max(latest, ask.at))
        else:
            mine = added.get(person, 0) + await count(
                conn,
                t.question_askers.join(
                    t.questions, t.questions.c.id == t.question_askers.c.question_id
                ),
                and_(t.question_askers.c.person_id == person, is_open),
            )
            if mine >= OPEN_PER_ASKER or in_all >= OPEN_IN_ALL:
                results.append(Queued(None, "asker" if mine >= OPEN_PER_ASKER else "queue"))
                continue
            question = (
                await conn.execute(
                    t.questions.insert()
                    .values(
                        text=ask.text,
                        normalised=ask.normalised,
                        asked_count=1,
                        first_asked_at=ask.at,
                        last_asked_at=ask.at,
                    )
                    .returning(t.questions.c.id)
                )
            ).scalar_one()
            known[ask.normalised] = (int(question), True)
            in_all += 1
        if (question, person) not in askers:
            added[person] = added.get(person, 0) + 1
        askers[(question, person)] = ask.at
        results.append(Queued(question))
    for question, (times, latest) in again.items():
        await conn.execute(
            update(t.questions)
            .where(t.questions.c.id == question)
            .values(asked_count=t.questions.c.asked_count + times, last_asked_at=latest)
        )
    if askers:
        stmt = upsert(conn, t.question_askers)
        await conn.execute(
            stmt.on_conflict_do_update(
                index_elements=[t.question_askers.c.question_id, t.question_askers.c.person_id],
                set_={"asked_at": stmt.excluded.asked_at},
            ),
            [{"question_id": q, "person_id": p, "asked_at": at} for (q, p), at in askers.items()],
        )
    return results
