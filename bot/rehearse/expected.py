"""What the oracle expects of the reminders: the personal messages the pack's rules call
for, worked out as the rehearsal goes from its own record of each supporter and branch,
and settled against the messages the platforms received."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import takewhile

from bot.rehearse.platforms import Sent
from bot.rehearse.rules import PackRule, PackRules


@dataclass
class BranchModel:
    meeting: date | None = None
    notice: date | None = None
    outcome: str | None = None
    at_meeting: date | None = None
    form_sent: datetime | None = None
    official: str | None = None
    verified: bool = False


@dataclass
class PersonModel:
    platform: str
    id: str
    branch: str | None = None
    volunteer: bool = False
    opted_out: bool = False
    snoozed_until: datetime | None = None
    erased: bool = False
    voted: bool = False
    signed_up_at: datetime | None = None


@dataclass(frozen=True)
class Expected:
    """A personal message the pack's rules call for: `rule` to `who` at `at`."""

    rule: PackRule
    who: tuple[str, str]
    at: datetime


class ExpectedMessages:
    """The oracle's half that follows the reminders. `bot.rehearse.oracle.Oracle` is built
    on it and holds the records it reads (declared here, kept there)."""

    pack: PackRules
    branches: dict[str, BranchModel]
    people: dict[tuple[str, str], PersonModel]
    joined: list[PersonModel]  # in the order they signed up
    violations: list[str]
    expected: list[Expected]  # not yet settled
    expected_until: datetime | None  # expectations worked out up to here
    _cadences: dict[tuple[str, date], list[datetime]]
    _settled: int  # the log before this is of days already settled

    def flag(self, now: datetime, what: str) -> None:
        if len(self.violations) < 500:
            self.violations.append(f"{now.astimezone(self.pack.zone):%Y-%m-%d %H:%M}: {what}")

    def today(self, now: datetime) -> date:
        return now.astimezone(self.pack.zone).date()

    def allowed(self, moment: datetime) -> datetime:
        """`moment`, or the next time personal messages may go (the pack's quiet hours)."""
        zone, pack = self.pack.zone, self.pack
        local = moment.astimezone(zone)
        if pack.quiet_start <= local.time() < pack.quiet_end:
            return local
        day = local.date() if local.time() < pack.quiet_start else local.date() + timedelta(days=1)
        return datetime.combine(day, pack.quiet_start, tzinfo=zone)

    def expect(self, now: datetime) -> None:
        """After a sweep at `now`: the personal messages the pack's rules call for, due since
        the last sweep, to the volunteers who should get them as things stand: rules timed
        by a one-off moment, a sign-up, a meeting or a cadence (not `every`, which the pack
        uses only for channels and organisers)."""
        since = self.expected_until
        self.expected_until = now
        if since is None:
            return
        rules = [
            r
            for r in self.pack.rules.values()
            if r.audience == "volunteer" and self._may_fall(r, since, now)
        ]
        if not rules:
            return
        everyone = [w for w in self.people.values() if w.volunteer and w.branch is not None]
        lately = since - timedelta(days=1)
        recent = list(takewhile(lambda w: (w.signed_up_at or lately) >= lately, self.joined[::-1]))
        for rule in rules:
            for who in recent if rule.signup_minutes is not None else everyone:
                key = (who.platform, who.id)
                if not who.volunteer or who.erased or who.opted_out or who.branch is None:
                    continue
                raws = self._raw(rule, who)  # in order; quiet hours put off by under a day
                first = bisect.bisect_right(raws, since - timedelta(days=1))
                for raw in raws[first : bisect.bisect_right(raws, now)]:
                    moment = self.allowed(raw)
                    if since < moment <= now and self._wanted(rule, who, raw, moment):
                        self.expected.append(Expected(rule, key, moment))

    def _may_fall(self, rule: PackRule, since: datetime, now: datetime) -> bool:
        """Whether a rule sent at a set time of day can fall due in (since, now] at all."""
        if rule.at is not None:
            return since < self.allowed(rule.at) <= now
        clock = rule.clock if rule.cadence else rule.meeting[1] if rule.meeting else None
        if clock is None:
            return True
        day = self.today(since) - timedelta(days=1)
        while day <= self.today(now):
            moment = self.allowed(datetime.combine(day, clock, tzinfo=self.pack.zone))
            if since < moment <= now:
                return True
            day += timedelta(days=1)
        return False

    def _raw(self, rule: PackRule, who: PersonModel) -> list[datetime]:
        if rule.at is not None:
            return [rule.at]
        if rule.cadence and who.signed_up_at is not None:
            return self._cadence(rule, self.today(who.signed_up_at))
        if rule.signup_minutes is not None and who.signed_up_at is not None:
            return [who.signed_up_at + timedelta(minutes=rule.signup_minutes)]
        meeting = self.branches[who.branch or ""].meeting if who.branch else None
        if rule.meeting is not None and meeting is not None:
            days, clock, after, times = rule.meeting
            first = meeting + timedelta(days=days)
            return [
                datetime.combine(first + timedelta(days=after * n), clock, tzinfo=self.pack.zone)
                for n in range(times + 1)
            ]
        return []

    def _cadence(self, rule: PackRule, joined: date) -> list[datetime]:
        """A cadence's days: from `from` (or the day after joining, by the step then),
        every so many days by the days left to `until`, at its time."""
        key = (rule.id, joined)
        if key in self._cadences:
            return self._cadences[key]
        found: list[datetime] = []
        if rule.start is not None and rule.until is not None and rule.clock is not None:
            begin, finish = self.today(rule.start), self.today(rule.until)
            steps = sorted(rule.cadence, key=lambda s: -s[0])

            def gap(day: date) -> int:
                left = (finish - day).days
                return next((every for least, every in steps if left >= least), steps[-1][1])

            day = joined + timedelta(days=gap(joined)) if joined >= begin else begin
            while day <= finish:
                found.append(datetime.combine(day, rule.clock, tzinfo=self.pack.zone))
                day += timedelta(days=gap(day))
        self._cadences[key] = found
        return found

    def _wanted(self, rule: PackRule, who: PersonModel, raw: datetime, moment: datetime) -> bool:
        pack = self.pack
        if who.snoozed_until and moment < who.snoozed_until:
            return False
        if rule.signup_minutes is None:
            if who.signed_up_at is None or raw < who.signed_up_at:
                return False
        elif (rule.start and raw < rule.start) or (rule.until and moment > rule.until):
            return False
        if rule.phase == "ballot":
            return moment < pack.ballot_close and not who.voted
        branch = self.branches[who.branch or ""]
        if moment > pack.close or branch.outcome is not None:
            return False
        if rule.needs == "no-meeting":
            return branch.meeting is None
        if rule.needs == "meeting-called":
            return branch.meeting is not None
        return True

    def settle(self, log: list[Sent], before: datetime) -> None:
        """Each expected message due before `before` went: that rule's, or the day's limit
        was reached by others of at least its priority, or sent before it was due."""
        if not self.expected:
            return
        zone = self.pack.zone
        due = [e for e in self.expected if e.at < before]
        self.expected = [e for e in self.expected if e.at >= before]
        days = {e.at.astimezone(zone).date() for e in due}
        got: dict[tuple[str, str, date], list[Sent]] = {}
        first = min(days)  # the log is in time order: skip the days already settled
        while self._settled < len(log) and log[self._settled].at.astimezone(zone).date() < first:
            self._settled += 1
        for sent in log[self._settled :]:
            day = sent.at.astimezone(zone).date()
            if day in days:
                got.setdefault((sent.target.platform, sent.target.id, day), []).append(sent)
        rules = self.pack.rules
        for e in due:
            that_day = got.get((*e.who, e.at.astimezone(zone).date()), [])
            if any(s.rule == e.rule.id for s in that_day):
                continue
            rank = (-e.rule.priority, e.rule.order)
            ahead = [
                s
                for s in that_day
                if s.rule in rules
                and rules[s.rule].audience == "volunteer"
                and (s.at <= e.at or (-rules[s.rule].priority, rules[s.rule].order) <= rank)
            ]
            if len(ahead) < self.pack.daily_limit:
                self.flag(e.at, f"{e.rule.id} due to {e.who[1]} was never sent")
