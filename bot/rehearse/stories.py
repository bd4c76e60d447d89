"""The crowd's ways of saying things (a meeting called, a result, a form, a check) and
the stories of the counting rules' edges: one branch each, whatever the seed.
`bot.rehearse.crowd.Crowd` is built on them and holds what they add to."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.rehearse.rules import PackRules

RIVALS = ("Lloyd", "Laidlaw")
ORGANISERS = (("console", "olive"), ("slack", "UORGANISER"))


@dataclass(order=True)
class Action:
    at: datetime
    seq: int
    platform: str = field(compare=False)
    user: str = field(compare=False)
    line: str = field(compare=False)
    kind: str = field(compare=False)  # what the oracle learns from it
    branch: str = field(compare=False, default="")
    data: dict[str, object] = field(compare=False, default_factory=dict)
    channel: str = field(compare=False, default="")
    organiser: bool = field(compare=False, default=False)


def iso(day: date) -> str:
    return day.isoformat()


class Stories:
    pack: PackRules
    rng: random.Random
    start: datetime
    actions: list[Action]
    _seq: int
    retired: list[str]  # branches the replaced list drops
    replaced_at: datetime

    # --- helpers ---------------------------------------------------------------------

    def moment(self, day: date, early: int = 8, late: int = 21) -> datetime:
        hour = self.rng.randint(early, late - 1)
        return datetime.combine(day, time(hour, self.rng.randrange(60)), tzinfo=self.pack.zone)

    def add(self, at: datetime, who: tuple[str, str], line: str, kind: str, **kw: object) -> None:
        if at < self.start:  # before the window: at its start, in the order planned
            at = self.start
        self._seq += 1
        self.actions.append(Action(at, self._seq, who[0], who[1], line, kind, **kw))  # type: ignore[arg-type]

    def day(self, moment: datetime) -> date:
        return moment.astimezone(self.pack.zone).date()

    # --- the rules' edges: one branch each, whatever the seed ---------------------------

    def at(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), tzinfo=self.pack.zone)

    def called(self, who: tuple[str, str], code: str, on: date, notice: date, at: datetime) -> None:
        line = f"/meeting branch:{code} date:{iso(on)} notice:{iso(notice)}"
        self.add(at, who, line, "meeting", branch=code, data={"date": on, "notice": notice})

    def form(self, who: tuple[str, str], code: str, at: datetime, on: date | None = None) -> None:
        dated = f" date:{iso(on)}" if on is not None else ""
        data: dict[str, object] = {"official": "Jo Bloggs"}
        if on is not None:
            data["date"] = on
        line = f"/formsent branch:{code} official:Jo Bloggs{dated}"
        self.add(at, who, line, "formsent", branch=code, data=data)

    def verify(self, code: str, at: datetime) -> None:
        line = f"/verify branch:{code}"
        self.add(at, ORGANISERS[0], line, "verify", branch=code, organiser=True)

    def _at_the_close(self, who: tuple[str, str], code: str, minute: int) -> None:
        close = self.day(self.pack.close)
        meeting = close - timedelta(days=10)
        self.called(who, code, meeting, meeting - timedelta(days=16), self.at(meeting, 8, 5))
        self.result(who, code, "nominated", meeting, self.at(meeting, 19, 30))
        at = self.pack.close.astimezone(self.pack.zone) + timedelta(minutes=minute)
        self.form(who, code, at)

    def edge_form_at_1659(self, who: tuple[str, str], code: str) -> None:
        """The form a minute before the close: in time."""
        self._at_the_close(who, code, -1)

    def edge_form_at_1701(self, who: tuple[str, str], code: str) -> None:
        """The form a minute after the close: late."""
        self._at_the_close(who, code, 1)

    def edge_meeting_before_opening(self, who: tuple[str, str], code: str) -> None:
        """A meeting held before nominations open: it never counts."""
        meeting = self.day(self.pack.open) - timedelta(days=3)
        self.called(who, code, meeting, meeting - timedelta(days=16), self.at(meeting, 8, 10))
        self.result(who, code, "nominated", meeting, self.at(meeting, 19, 40))
        self.form(who, code, self.at(meeting + timedelta(days=1), 12))

    def edge_form_before_meeting(self, who: tuple[str, str], code: str) -> None:
        """A result and a form before the meeting, a form dated before it, then the form."""
        opened = self.day(self.pack.open)
        meeting = opened + timedelta(days=20)
        self.called(who, code, meeting, opened + timedelta(days=5), self.at(opened, 10, 15))
        self.result(who, code, "nominated", meeting, self.at(opened + timedelta(days=7), 11))
        self.form(who, code, self.at(opened + timedelta(days=7), 12))
        after = meeting + timedelta(days=1)
        self.form(who, code, self.at(after, 10), meeting - timedelta(days=1))
        self.form(who, code, self.at(after, 11))

    def edge_result_to_come(self, who: tuple[str, str], code: str) -> None:
        """A result reported before its meeting, verified too soon, then after it."""
        opened = self.day(self.pack.open)
        meeting = opened + timedelta(days=22)
        self.called(who, code, meeting, opened + timedelta(days=6), self.at(opened, 10, 20))
        self.result(who, code, "nominated", meeting, self.at(opened + timedelta(days=8), 10))
        self.verify(code, self.at(opened + timedelta(days=8), 11))
        self.form(who, code, self.at(meeting + timedelta(days=1), 10))
        self.verify(code, self.at(meeting + timedelta(days=2), 10))

    def edge_changed_after_verify(self, who: tuple[str, str], code: str) -> None:
        """A verified nomination changed to another candidate, then back."""
        opened = self.day(self.pack.open)
        meeting = opened + timedelta(days=15)
        self.called(who, code, meeting, opened + timedelta(days=1), self.at(opened, 10, 25))
        self.result(who, code, "nominated", meeting, self.at(meeting, 19, 50))
        self.form(who, code, self.at(meeting + timedelta(days=1), 10))
        self.verify(code, self.at(meeting + timedelta(days=2), 10))
        self.result(who, code, "other", meeting, self.at(meeting + timedelta(days=3), 10))
        self.result(who, code, "nominated", meeting, self.at(meeting + timedelta(days=4), 10))
        self.verify(code, self.at(meeting + timedelta(days=5), 10))

    def _counted_then_retired(
        self, who: tuple[str, str], code: str, after: int, verified: bool
    ) -> None:
        opened = self.day(self.pack.open)
        meeting = opened + timedelta(days=after)
        notice = meeting - timedelta(days=16)
        self.called(who, code, meeting, notice, self.at(opened, 10, 30 + after))
        self.result(who, code, "nominated", meeting, self.at(meeting, 19, 45))
        self.form(who, code, self.at(meeting + timedelta(days=1), 10, 5))
        check = meeting + timedelta(days=2) if verified else self.day(self.replaced_at)
        self.verify(code, self.at(check + timedelta(days=0 if verified else 1), 10, 10))
        self.retired.append(code)

    def edge_retired_counted(self, who: tuple[str, str], code: str) -> None:
        """A counted, verified nomination from a branch the replaced list drops."""
        self._counted_then_retired(who, code, 10, verified=True)

    def edge_retired_unverified(self, who: tuple[str, str], code: str) -> None:
        """A counted nomination, verified only once its branch has left the list."""
        self._counted_then_retired(who, code, 12, verified=False)

    def edge_retired_rival(self, who: tuple[str, str], code: str) -> None:
        """A branch that nominated a rival, then dropped from the list."""
        opened = self.day(self.pack.open)
        meeting = opened + timedelta(days=9)
        self.called(who, code, meeting, meeting - timedelta(days=15), self.at(opened, 10, 50))
        self.result(who, code, "other", meeting, self.at(meeting, 19, 55))
        self.retired.append(code)

    def result(
        self, who: tuple[str, str], code: str, outcome: str, meeting: date, at: datetime
    ) -> None:
        nominee = f" nominee:{self.rng.choice(RIVALS)}" if outcome == "other" else ""
        self.add(
            at,
            who,
            f"/nominate branch:{code} outcome:{outcome}{nominee} date:{iso(meeting)}",
            "nominate",
            branch=code,
            data={"outcome": outcome, "date": meeting},
        )
