"""What the oracle expects of the messages: each one sent checked as it arrives (never
twice, never at night, within the day's limit, to someone who should get it), and the
personal messages the pack's rules call for, worked out from the oracle's own record of
each supporter and branch and settled against what the platforms received."""

from __future__ import annotations

import bisect
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import takewhile

from bot.rehearse.platforms import Sent
from bot.rehearse.rules import PackRule, PackRules, group_of


@dataclass
class BranchModel:
    meeting: date | None = None
    starts: time | None = None  # the meeting's start, once called
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
    withheld: bool = False  # the rule's holdout: never sent, but it takes its day's place


class ExpectedMessages:
    """The oracle's half that follows the messages. `bot.rehearse.oracle.Oracle` is built
    on it and holds the records it reads (declared here, kept there)."""

    pack: PackRules
    branches: dict[str, BranchModel]
    people: dict[tuple[str, str], PersonModel]
    violations: list[str]
    seen_keys: set[str]
    per_day: Counter[tuple[str, str, date]]
    rule_days: set[tuple[str, str, str, date]]
    expected: list[Expected]  # not yet settled
    expected_until: datetime | None  # expectations worked out up to here
    _cadences: dict[tuple[str, date], list[datetime]]
    joined: list[PersonModel]  # in the order they signed up
    _settled: int  # the log before this is of days already settled
    wordings: dict[tuple[str, str, str], str | None]

    def flag(self, now: datetime, what: str) -> None:
        if len(self.violations) < 500:
            self.violations.append(f"{now.astimezone(self.pack.zone):%Y-%m-%d %H:%M}: {what}")

    def today(self, now: datetime) -> date:
        return now.astimezone(self.pack.zone).date()

    # --- messages ----------------------------------------------------------------------

    def daytime(self, at: datetime) -> bool:
        local = at.astimezone(self.pack.zone).time()
        return self.pack.quiet_start <= local <= self.pack.quiet_end

    def check_message(self, sent: Sent) -> None:
        now = sent.at
        pack = self.pack
        if sent.key in self.seen_keys:
            self.flag(now, f"message {sent.rule} to {sent.target.id} sent twice")
        self.seen_keys.add(sent.key)
        if not self.daytime(now):
            self.flag(now, f"message {sent.rule} to {sent.target.id} sent at night")
        rule = pack.rules.get(sent.rule)
        if rule is None:
            self.flag(now, f"a message from no rule of the pack: {sent.text[:60]!r}")
            return
        if rule.at is not None and not rule.at <= now:
            self.flag(now, f"{rule.id} sent before its time")
        if rule.audience != "volunteer":
            return
        if rule.variants:
            self._check_wording(rule, sent)
        day = self.today(now)
        target = (sent.target.platform, sent.target.id)
        if (rule.id, *target, day) in self.rule_days:
            self.flag(now, f"{rule.id} sent to {sent.target.id} twice in a day, by another key")
        self.rule_days.add((rule.id, *target, day))
        self.per_day[(*target, day)] += 1
        who = self.people.get((sent.target.platform, sent.target.id))
        limit = self.limit(who, day)
        if self.per_day[(*target, day)] == limit + 1:
            self.flag(now, f"{sent.target.id} got more than {limit} personal messages in a day")
        if who is None or not who.volunteer or who.erased:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, who is not a volunteer")
            return
        if who.opted_out:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, who opted out")
        if who.snoozed_until and now < who.snoozed_until:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, who snoozed")
        if rule.phase == "ballot":
            if who.voted:
                self.flag(now, f"{rule.id} sent to {sent.target.id}, who has voted")
            return
        if now >= pack.close:
            self.flag(now, f"meeting reminder {rule.id} after nominations closed")
        branch = self.branches.get(who.branch or "")
        if branch is not None and branch.outcome is not None:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, whose branch is done")
        elif branch is not None and rule.needs == "no-meeting" and branch.meeting:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, whose branch has a meeting")
        elif branch is not None and rule.needs == "meeting-called" and not branch.meeting:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, whose branch has no meeting")

    def _check_wording(self, rule: PackRule, sent: Sent) -> None:
        """A rule in a wording experiment: never to its holdout; each person always the
        wording worked out again here from the hash, whichever process sent it."""
        platform, user = sent.target.platform, sent.target.id
        group = group_of(self.pack.name, rule, platform, user)
        if group == "holdout":
            self.flag(sent.at, f"{rule.id} sent to {user}, in its holdout")
        elif sent.variant != group:
            self.flag(sent.at, f"{rule.id} sent to {user} as {sent.variant}, not {group}")
        before = self.wordings.setdefault((rule.id, platform, user), sent.variant)
        if before != sent.variant:
            self.flag(sent.at, f"{rule.id} to {user}: {sent.variant} after {before}")

    def limit(self, who: PersonModel | None, day: date) -> int:
        """The most personal messages `who` may get on `day`: more on their meeting's day
        if the pack says so."""
        pack = self.pack
        branch = self.branches.get(who.branch or "") if who is not None else None
        if branch is not None and branch.meeting == day and pack.meeting_day_limit is not None:
            return pack.meeting_day_limit
        return pack.daily_limit

    # --- what should have been sent ------------------------------------------------------

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
        groups: dict[str, dict[object, list[tuple[int, PersonModel]]]] = {}
        for rule in rules:
            # People whose messages from the rule fall at the same moments (the same day
            # joined, the same meeting) are looked at only if those moments are due now.
            kind = self._timing(rule)
            if kind not in groups:
                groups[kind] = self._grouped(kind, recent if kind == "signup" else everyone)
            found: list[tuple[int, Expected]] = []
            for members in groups[kind].values():
                raws = self._raw(rule, members[0][1])  # in order; quiet hours put off by
                first = bisect.bisect_right(raws, since - timedelta(days=1))  # under a day
                due = raws[first : bisect.bisect_right(raws, now)]
                if not due:
                    continue
                for place, who in members:
                    if not who.volunteer or who.erased or who.opted_out or who.branch is None:
                        continue
                    key = (who.platform, who.id)
                    held = group_of(self.pack.name, rule, *key) == "holdout"
                    for raw in due:
                        moment = self.allowed(raw)
                        if since < moment <= now and self._wanted(rule, who, raw, moment):
                            found.append((place, Expected(rule, key, moment, held)))
            found.sort(key=lambda item: item[0])  # in the order people joined the oracle
            self.expected.extend(e for _, e in found)

    @staticmethod
    def _timing(rule: PackRule) -> str:
        """What of a person a rule's moments depend on (see `_raw`)."""
        if rule.at is not None:
            return "nothing"
        if rule.cadence:
            return "joined"
        if rule.signup_minutes is not None:
            return "signup"
        return "meeting" if rule.meeting is not None or rule.after_end is not None else "nothing"

    def _grouped(
        self, kind: str, people: list[PersonModel]
    ) -> dict[object, list[tuple[int, PersonModel]]]:
        groups: dict[object, list[tuple[int, PersonModel]]] = {}
        for place, who in enumerate(people):
            key: object = None
            if kind == "joined":
                key = self.today(who.signed_up_at) if who.signed_up_at is not None else None
            elif kind == "signup":
                key = who.signed_up_at
            elif kind == "meeting":
                b = self.branches[who.branch] if who.branch else None
                key = (b.meeting, b.starts) if b is not None else None
            groups.setdefault(key, []).append((place, who))
        return groups

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
        branch = self.branches[who.branch or ""] if who.branch else None
        meeting = branch.meeting if branch is not None else None
        if rule.after_end is not None and branch is not None and meeting is not None:
            starts = datetime.combine(
                meeting, branch.starts or self.pack.meeting_start, tzinfo=self.pack.zone
            )
            return [starts + self.pack.meeting_length + timedelta(minutes=rule.after_end)]
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
        held: dict[tuple[str, str, date], list[Expected]] = {}
        for e in due:
            if e.withheld:
                held.setdefault((*e.who, e.at.astimezone(zone).date()), []).append(e)
        for e in due:
            if e.withheld:
                continue  # never sent (check_message flags it if it is)
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
            # A holdout's message keeps its place in the day: nothing is sent instead.
            kept = held.get((*e.who, e.at.astimezone(zone).date()), [])
            taken = [h for h in kept if h.at <= e.at or (-h.rule.priority, h.rule.order) <= rank]
            if len(ahead) + len(taken) < self.limit(
                self.people.get(e.who), e.at.astimezone(zone).date()
            ):
                self.flag(e.at, f"{e.rule.id} due to {e.who[1]} was never sent")
