"""Questions the bot could not answer, and the answers organisers gave them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import FaqAnswer, UnansweredQuestion, User
from bot.store import schema as t
from bot.store.base import Aggregate, person_id, upsert

MAX_TEXT = 500


def _question(row: Row[Any]) -> UnansweredQuestion:
    return UnansweredQuestion(
        row.id, row.text, row.asked_count, row.first_asked_at, row.last_asked_at, row.answered_at
    )


class Questions(Aggregate):
    async def record_unanswered(self, text: str, normalised: str, at: datetime) -> int:
        """Queue a question the bot could not answer; repeats of it add to its count."""
        return await self.core.batch(_apply_questions, (text[:MAX_TEXT], normalised[:MAX_TEXT], at))

    async def get(self, question_id: int) -> UnansweredQuestion | None:
        async def read(conn: AsyncConnection) -> UnansweredQuestion | None:
            row = (
                await conn.execute(select(t.questions).where(t.questions.c.id == question_id))
            ).first()
            return _question(row) if row else None

        return await self.core.read(read)

    async def unanswered(self, limit: int = 20) -> list[UnansweredQuestion]:
        async def read(conn: AsyncConnection) -> list[UnansweredQuestion]:
            rows = await conn.execute(
                select(t.questions)
                .where(t.questions.c.answered_at.is_(None))
                .order_by(t.questions.c.asked_count.desc(), t.questions.c.last_asked_at.desc())
                .limit(limit)
            )
            return [_question(r) for r in rows]

        return await self.core.read(read)

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

    async def answers(self) -> list[FaqAnswer]:
        """The answers organisers have added, oldest first."""

        async def read(conn: AsyncConnection) -> list[FaqAnswer]:
            rows = await conn.execute(select(t.faq_answers).order_by(t.faq_answers.c.id))
            return [
                FaqAnswer(r.id, r.question_id, r.question, r.answer, r.created_at) for r in rows
            ]

        return await self.core.read(read)


async def _apply_questions(
    conn: AsyncConnection, asked: Sequence[tuple[str, str, datetime]]
) -> list[int]:
    counts: dict[str, int] = {}
    first: dict[str, tuple[str, datetime]] = {}
    last: dict[str, datetime] = {}
    for text, normalised, at in asked:
        counts[normalised] = counts.get(normalised, 0) + 1
        first.setdefault(normalised, (text, at))
        last[normalised] = max(at, last.get(normalised, at))
    values = [
        {
            "text": first[key][0],
            "normalised": key,
            "asked_count": n,
            "first_asked_at": first[key][1],
            "last_asked_at": last[key],
        }
        for key, n in counts.items()
    ]
    stmt = upsert(conn, t.questions)
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
