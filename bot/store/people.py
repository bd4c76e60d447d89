"""People and consent: volunteers' sign-ups, reminder preferences and requests for help."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.domain import ImportedVolunteer, SignUp, User, Volunteer
from bot.store import schema as t
from bot.store.base import Aggregate, find_person, person_id, person_ids, upsert

# A volunteer with who they are and their branch's name.
VOLUNTEER_FROM = t.volunteers.join(t.people, t.people.c.id == t.volunteers.c.person_id).join(
    t.branches, t.branches.c.code == t.volunteers.c.branch_code
)
VOLUNTEER_SELECT = select(
    t.volunteers,
    t.people.c.platform,
    t.people.c.platform_user_id,
    t.people.c.display_name,
    t.branches.c.name.label("branch_name"),
).select_from(VOLUNTEER_FROM)


def volunteer_from(row: Row[Any]) -> Volunteer:
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
        undeliverable_at=row.undeliverable_at,
        branch_name=row.branch_name,
    )


@dataclass(frozen=True, slots=True)
class _SignUpRequest:
    user: User
    branch_code: str
    consent_text: str
    at: datetime


class People(Aggregate):
    async def sign_up(
        self, user: User, branch_code: str, consent_text: str, at: datetime
    ) -> SignUp:
        """Sign `user` up for a branch with the consent wording they agreed to."""
        return await self.core.batch(
            _apply_sign_ups, _SignUpRequest(user, branch_code, consent_text, at)
        )

    async def import_volunteers(
        self, volunteers: Sequence[ImportedVolunteer], consent_text: str, at: datetime
    ) -> int:
        """Sign up everyone listed, in one transaction, with the consent they gave
        elsewhere; people already signed up are left as they are. Returns how many were
        added."""

        async def apply(conn: AsyncConnection) -> int:
            people = await person_ids(conn, (v.user for v in volunteers), at)
            stmt = upsert(conn, t.volunteers).on_conflict_do_nothing(
                index_elements=[t.volunteers.c.person_id]
            )
            result = await conn.execute(
                stmt,
                [
                    {
                        "person_id": people[v.user.key],
                        "branch_code": v.branch_code,
                        "consent_at": v.consented_at,
                        "consent_text": consent_text,
                        "opted_out": False,
                        "signed_up_at": at,
                    }
                    for v in volunteers
                ],
            )
            return int(result.rowcount or 0)

        return await self.core.write(apply)

    async def volunteer(self, user: User) -> Volunteer | None:
        async def read(conn: AsyncConnection) -> Volunteer | None:
            row = (
                await conn.execute(
                    VOLUNTEER_SELECT.where(
                        t.people.c.platform == user.platform,
                        t.people.c.platform_user_id == user.id,
                    )
                )
            ).first()
            return volunteer_from(row) if row else None

        return await self.core.read(read)

    async def not_signed_up(self, platform: str | None = None) -> int:
        """How many people the bot knows (on `platform`, if given) have never signed up,
        so never agreed to be messaged."""

        async def read(conn: AsyncConnection) -> int:
            signed = select(t.volunteers.c.person_id).where(
                t.volunteers.c.person_id == t.people.c.id
            )
            query = select(func.count()).select_from(t.people).where(~signed.exists())
            if platform is not None:
                query = query.where(t.people.c.platform == platform)
            return int((await conn.execute(query)).scalar_one())

        return await self.core.read(read)

    async def set_opted_out(self, user: User, opted_out: bool, at: datetime) -> bool:
        """Turn reminders off or on; False if the user is not a volunteer."""
        return await self._update(user, opted_out=opted_out, opted_out_at=at if opted_out else None)

    async def snooze(self, user: User, until: datetime) -> bool:
        """No reminders until `until`; False if the user is not a volunteer."""
        return await self._update(user, snoozed_until=until)

    async def _update(self, user: User, **values: object) -> bool:
        async def apply(conn: AsyncConnection) -> bool:
            person = await find_person(conn, user)
            if person is None:
                return False
            result = await conn.execute(
                update(t.volunteers).where(t.volunteers.c.person_id == person).values(**values)
            )
            return bool(result.rowcount)

        return await self.core.write(apply)

    async def mark_undeliverable(self, person: int, at: datetime) -> None:
        async def apply(conn: AsyncConnection) -> None:
            await conn.execute(
                update(t.volunteers)
                .where(t.volunteers.c.person_id == person)
                .values(undeliverable_at=at)
            )

        await self.core.write(apply)

    async def ask_for_help(self, user: User, branch_code: str | None, at: datetime) -> int:
        async def apply(conn: AsyncConnection) -> int:
            person = await person_id(conn, user, at)
            result = await conn.execute(
                t.help_requests.insert()
                .values(person_id=person, branch_code=branch_code, asked_at=at)
                .returning(t.help_requests.c.id)
            )
            return int(result.scalar_one())

        return await self.core.write(apply)


async def _apply_sign_ups(
    conn: AsyncConnection, requests: Sequence[_SignUpRequest]
) -> list[SignUp]:
    results = []
    for request in requests:
        person = await person_id(conn, request.user, request.at)
        existing = (
            await conn.execute(
                select(t.volunteers.c.branch_code, t.volunteers.c.consent_text).where(
                    t.volunteers.c.person_id == person
                )
            )
        ).first()
        consent = {
            "branch_code": request.branch_code,
            "consent_at": request.at,
            "consent_text": request.consent_text,
        }
        if existing is None:
            await conn.execute(
                t.volunteers.insert().values(
                    person_id=person, opted_out=False, signed_up_at=request.at, **consent
                )
            )
        elif (existing.branch_code, existing.consent_text) != (
            request.branch_code,
            request.consent_text,
        ):  # a move, or new wording agreed to; the same again changes nothing
            await conn.execute(
                update(t.volunteers).where(t.volunteers.c.person_id == person).values(**consent)
            )
        row = (await conn.execute(VOLUNTEER_SELECT.where(t.volunteers.c.person_id == person))).one()
        previous = existing.branch_code if existing is not None else None
        results.append(
            SignUp(
                volunteer=volunteer_from(row),
                previous_branch=previous if previous != request.branch_code else None,
                already=previous == request.branch_code,
            )
        )
    return results
