"""The ballot: volunteers who say they have voted, and the colleagues they asked to vote.

One row per volunteer (`ballot_actions`), deleted with the person, so /forgetme and the
purge take it away; the purge first adds it to its branch's kept tallies. Only
volunteers, who agreed to what is stored, have a row; their branch is the one they are
signed up for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.campaign.ballot import BallotStatus, BranchTurnout
from bot.campaign.domain import User
from bot.store import schema as t
from bot.store.base import Aggregate, find_person, upsert

b = t.ballot_actions
v = t.volunteers


class Ballot(Aggregate):
    async def vote(self, user: User, at: datetime, voted: bool = True) -> BallotStatus | None:
        """Record that `user` has voted (or, with `voted=False`, take it back); None if
        they are not a volunteer. `already` says nothing changed."""

        async def apply(conn: AsyncConnection) -> BallotStatus | None:
            found = await _volunteer(conn, user, at)
            if found is None:
                return None
            person, branch = found
            if voted:
                changed = update(b).where(b.c.person_id == person, b.c.voted_at.is_(None))
                result = await conn.execute(changed.values(voted_at=at, updated_at=at))
            else:
                changed = update(b).where(b.c.person_id == person, b.c.voted_at.is_not(None))
                result = await conn.execute(changed.values(voted_at=None, updated_at=at))
            return await _status(conn, person, branch, already=not result.rowcount)

        return await self.core.write(apply)

    async def pledge(self, user: User, count: int, at: datetime) -> BallotStatus | None:
        """Add `count` colleagues asked to vote to `user`'s pledge; None if they are not
        a volunteer."""

        async def apply(conn: AsyncConnection) -> BallotStatus | None:
            found = await _volunteer(conn, user, at)
            if found is None:
                return None
            person, branch = found
            await conn.execute(
                update(b)
                .where(b.c.person_id == person)
                .values(pledged=b.c.pledged + count, updated_at=at)
            )
            return await _status(conn, person, branch)

        return await self.core.write(apply)

    async def status(self, user: User) -> BallotStatus | None:
        """`user`'s ballot record (empty if they have reported nothing); None if they are
        not a volunteer."""

        async def read(conn: AsyncConnection) -> BallotStatus | None:
            person = await find_person(conn, user)
            if person is None:
                return None
            branch = await _branch(conn, person)
            return None if branch is None else await _status(conn, person, branch)

        return await self.core.read(read)

    async def turnout(self) -> list[BranchTurnout]:
        """Every branch with a volunteer (now, or kept by the purge): volunteers, how many
        voted, colleagues asked."""

        async def read(conn: AsyncConnection) -> list[BranchTurnout]:
            br, kept = t.branches, t.kept_tallies
            live = live_tallies().subquery()
            rows = await conn.execute(
                select(
                    br.c.code,
                    br.c.name,
                    br.c.region,
                    *(
                        (func.coalesce(live.c[f], 0) + func.coalesce(kept.c[f], 0)).label(f)
                        for f in ("volunteers", "voted", "pledged")
                    ),
                )
                .select_from(
                    br.outerjoin(live, live.c.branch_code == br.c.code).outerjoin(
                        kept, kept.c.branch_code == br.c.code
                    )
                )
                .where(or_(live.c.branch_code.is_not(None), kept.c.branch_code.is_not(None)))
                .order_by(br.c.name, br.c.code)
            )
            return [
                BranchTurnout(
                    r.code, r.name, r.region, int(r.volunteers), int(r.voted), int(r.pledged)
                )
                for r in rows
            ]

        return await self.core.shared_read("ballot.turnout", read)


def live_tallies() -> Select[tuple[str, int, int, int]]:
    """Each branch's volunteers now, how many of them voted, and colleagues they asked."""
    v, b = t.volunteers, t.ballot_actions
    return (
        select(
            v.c.branch_code,
            func.count(v.c.person_id).label("volunteers"),
            func.count(b.c.voted_at).label("voted"),
            func.coalesce(func.sum(b.c.pledged), 0).label("pledged"),
        )
        .select_from(v.outerjoin(b, b.c.person_id == v.c.person_id))
        .group_by(v.c.branch_code)
    )


async def _branch(conn: AsyncConnection, person: int) -> str | None:
    return (
        await conn.execute(select(v.c.branch_code).where(v.c.person_id == person))
    ).scalar_one_or_none()


async def _volunteer(conn: AsyncConnection, user: User, at: datetime) -> tuple[int, str] | None:
    """The volunteer's person id and branch, with their ballot row made ready."""
    person = await find_person(conn, user)
    branch = None if person is None else await _branch(conn, person)
    if person is None or branch is None:
        return None
    await conn.execute(
        upsert(conn, b)
        .values(person_id=person, pledged=0, updated_at=at)
        .on_conflict_do_nothing(index_elements=[b.c.person_id])
    )
    return person, branch


async def _status(
    conn: AsyncConnection, person: int, branch: str, already: bool = False
) -> BallotStatus:
    mine = (
        await conn.execute(select(b.c.voted_at, b.c.pledged).where(b.c.person_id == person))
    ).first()
    totals = (
        await conn.execute(
            select(func.count(b.c.voted_at), func.coalesce(func.sum(b.c.pledged), 0))
            .select_from(b.join(v, v.c.person_id == b.c.person_id))
            .where(v.c.branch_code == branch)
        )
    ).one()
    kept = (
        await conn.execute(
            select(t.kept_tallies.c.voted, t.kept_tallies.c.pledged).where(
                t.kept_tallies.c.branch_code == branch
            )
        )
    ).first()
    return BallotStatus(
        branch_code=branch,
        voted_at=mine.voted_at if mine else None,
        pledged=int(mine.pledged) if mine else 0,
        branch_voted=int(totals[0]) + (kept.voted if kept else 0),
        branch_pledged=int(totals[1]) + (kept.pledged if kept else 0),
        already=already,
    )
