"""Planning: which message goes to whom, and when, for the campaign's state right now.

The planner is a pure function of the campaign pack, the reminder rules, a snapshot of
the store, and a time window. It knows nothing of sending. Everything is computed in the
campaign's time zone, so a rule at 09:00 stays at 09:00 across the clocks changing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.campaign.experiments import Assignments
from bot.campaign.pack import Campaign
from bot.campaign.rules import WEEKDAYS, Rule
from schedules.plans import (
    Planned,
    PlanState,
    QuietHours,
    VolunteerState,
)

TICK = timedelta(microseconds=1)


def _at(day: date, when: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, when, tzinfo=zone)


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


class _Groups:
    """The volunteers of one plan, grouped (when first asked) by what reminder timings
    depend on: the day they joined and their branch's meeting (its date and start)."""

    def __init__(
        self, volunteers: Sequence[VolunteerState], zone: ZoneInfo, joined: dict[datetime, date]
    ):
        self.volunteers = volunteers
        self._zone = zone
        self._joined = joined
        self._by_joined: dict[date, list[VolunteerState]] | None = None
        self._by_meeting: dict[tuple[date | None, time | None], list[VolunteerState]] | None = None
        self._since: dict[datetime, list[VolunteerState]] = {}

    @property
    def by_joined(self) -> dict[date, list[VolunteerState]]:
        if self._by_joined is None:
            groups: dict[date, list[VolunteerState]] = defaultdict(list)
            joined, zone = self._joined, self._zone
            for volunteer in self.volunteers:
                at = volunteer.signed_up_at
                day = joined.get(at)
                if day is None:
                    day = joined[at] = at.astimezone(zone).date()
                groups[day].append(volunteer)
            self._by_joined = groups
        return self._by_joined

    @property
    def by_meeting(self) -> dict[tuple[date | None, time | None], list[VolunteerState]]:
        """By their branch's meeting: its date and its own start (if given)."""
        if self._by_meeting is None:
            groups: dict[tuple[date | None, time | None], list[VolunteerState]] = defaultdict(list)
            for volunteer in self.volunteers:
                groups[(volunteer.meeting_date, volunteer.meeting_time)].append(volunteer)
            self._by_meeting = groups
        return self._by_meeting

    def since(self, lowest: datetime) -> list[VolunteerState]:
        """Those who signed up at `lowest` or later."""
        found = self._since.get(lowest)
        if found is None:
            least = lowest
            if self.volunteers:  # compared in the store's own zone (UTC): far quicker
                least = lowest.astimezone(self.volunteers[0].signed_up_at.tzinfo)
            found = self._since[lowest] = [v for v in self.volunteers if v.signed_up_at >= least]
        return found


class Planner:
    def __init__(self, campaign: Campaign, zone: ZoneInfo, quiet: QuietHours):
        self.campaign = campaign
        self.zone = zone
        self.quiet = quiet
        self.rules = campaign.reminders
        self.order = {rule.id: number for number, rule in enumerate(self.rules)}
        # A rule's moments for a timing (nothing, a day joined, a meeting's date) are the
        # same at every sweep of the same days: kept for those days.
        self._timed_for: tuple[date, date, tuple[date, date]] | None = None
        self._timed_cache: dict[tuple[str, object], list[tuple[datetime, datetime, str]]] = {}
        self._joined: dict[datetime, date] = {}  # the local day of each moment of signing up
        self.variant = Assignments(campaign.info.name)  # wording experiments

    def plan(self, state: PlanState, start: datetime, end: datetime) -> list[Planned]:
        """Everything due in [start, end), one message per volunteer per day at most; a
        holdout's message is `withheld` (it keeps its place in the day; never sent)."""
        first = start.astimezone(self.zone).date() - timedelta(days=1)
        last = end.astimezone(self.zone).date() + timedelta(days=1)
        # Only the days [start, end) touches matter: one a day is chosen within a day.
        days = (start.astimezone(self.zone).date(), (end - TICK).astimezone(self.zone).date())
        if (first, last, days) != self._timed_for:  # moments worked out for other days
            self._timed_for, self._timed_cache = (first, last, days), {}
        groups = _Groups(state.volunteers, self.zone, self._joined)
        planned: list[Planned] = []
        for rule in self.rules:
            if rule.audience == "volunteer":
                planned.extend(self._for_volunteers(rule, groups, first, last, days))
            else:
                planned.extend(self._for_rule(rule, state, first, last, days))
        kept = self._one_a_day(planned)
        return sorted(
            (p for p in kept if start <= p.at < end),
            key=lambda p: (p.at, self.order[p.rule.id], p.recipient),
        )

    def moments(self, rule: Rule, start: datetime, end: datetime) -> list[datetime]:
        """When a rule for channels or organisers falls due in [start, end), whoever gets it."""
        first = start.astimezone(self.zone).date() - timedelta(days=1)
        last = end.astimezone(self.zone).date() + timedelta(days=1)
        return sorted(m for _, m, _ in self._timed(rule, first, last, None) if start <= m < end)

    # --- per rule -------------------------------------------------------------------

    def _for_rule(
        self, rule: Rule, state: PlanState, first: date, last: date, days: tuple[date, date]
    ) -> Iterator[Planned]:
        """A rule for channels or organisers (`_for_volunteers` for volunteers)."""
        if rule.audience == "channel":
            for _, moment, occurrence in self._timed(rule, first, last, None, days):
                for channel in state.channels:
                    if channel.subscribed_at <= moment:
                        yield Planned(
                            moment,
                            rule,
                            channel.key,
                            channel.platform,
                            channel.channel_id,
                            occurrence,
                        )
        elif rule.audience == "organisers":
            for _, moment, occurrence in self._timed(rule, first, last, None, days):
                for organiser in state.organisers:
                    yield Planned(
                        moment,
                        rule,
                        organiser.key,
                        organiser.platform,
                        organiser.user_id,
                        occurrence,
                    )

    def _for_volunteers(
        self,
        rule: Rule,
        groups: _Groups,
        first: date,
        last: date,
        days: tuple[date, date],
    ) -> list[Planned]:
        # Volunteers who share what a rule's timing depends on (nothing, the day they
        # joined, their meeting's date) share its moments: work them out once, and pass
        # over at once those whose moments fall on none of these days.
        found: list[Planned] = []
        add = found.append
        wanted = self._wanted
        after_signup = rule.signup is None
        variant = self.variant if rule.variants else None
        for key, volunteers in self._sharing(rule, groups, days):
            timed = self._timed_for_key(rule, key, first, last, volunteers[0], days)
            if not timed:
                continue
            for volunteer in volunteers:
                if not wanted(rule, volunteer):
                    continue
                joined, snoozed = volunteer.signed_up_at, volunteer.snoozed_until
                for raw, moment, occurrence in timed:
                    if after_signup and raw < joined:
                        continue
                    if snoozed and moment < snoozed:
                        continue
                    add(
                        Planned(
                            moment,
                            rule,
                            f"person:{volunteer.person_id}",
                            volunteer.platform,
                            volunteer.user_id,
                            occurrence,
                            volunteer.branch_code,
                            volunteer,
                            variant(rule, volunteer.platform, volunteer.user_id)
                            if variant
                            else None,
                        )
                    )
        return found

    def _sharing(
        self, rule: Rule, groups: _Groups, days: tuple[date, date]
    ) -> Iterator[tuple[object, Sequence[VolunteerState]]]:
        """The volunteers in groups that share a rule's moments, each with its key (what,
        of a volunteer, the rule's raw moments depend on, see `_raw`; None if nothing)."""
        if not groups.volunteers or self._over(rule, days):
            return
        if rule.cadence is not None:
            assert rule.start is not None and rule.until is not None
            begin = self.campaign.resolve(rule.start).date()
            finish = self.campaign.resolve(rule.until, end_of_day=True).date()
            # Quiet hours put a moment off by under a day: none lands on these days.
            if days[1] < begin or days[0] > finish + timedelta(days=1):
                return
            before = [v for joined, vs in groups.by_joined.items() if joined < begin for v in vs]
            if before:
                yield None, before
            for joined, volunteers in groups.by_joined.items():
                if joined >= begin:
                    yield joined, volunteers
        elif rule.signup is not None:
            # A message after signing up lands on these days (quiet hours put it off by
            # less than a day) only for those who signed up about then.
            lowest = datetime.combine(days[0] - timedelta(days=1), time.min, self.zone)
            lowest -= timedelta(minutes=rule.signup.minutes)
            for volunteer in groups.since(lowest):
                yield volunteer.signed_up_at, (volunteer,)
        elif rule.meeting is not None:
            yield from groups.by_meeting.items()
        else:
            yield None, groups.volunteers

    def _over(self, rule: Rule, days: tuple[date, date]) -> bool:
        """Whether the rule's phase is over before these days begin (its moments after
        the phase are dropped, see `_timed`)."""
        if rule.phase == "nominations":
            return days[0] > self.campaign.nominations_close.astimezone(self.zone).date()
        return days[0] > self.campaign.ballot_close.astimezone(self.zone).date()

    def _timed_for_key(
        self,
        rule: Rule,
        key: object,
        first: date,
        last: date,
        volunteer: VolunteerState,
        days: tuple[date, date],
    ) -> list[tuple[datetime, datetime, str]]:
        """`_timed` for every volunteer sharing `key` (`volunteer` is one of them)."""
        cached = self._timed_cache.get((rule.id, key))
        if cached is None:
            # The raw moment is only compared with when volunteers signed up, which the
            # store gives in UTC: compared in one zone, that is far quicker.
            cached = [
                (raw.astimezone(UTC), moment, occurrence)
                for raw, moment, occurrence in self._timed(rule, first, last, volunteer, days)
            ]
            self._timed_cache[(rule.id, key)] = cached
        return cached

    @staticmethod
    def _wanted(rule: Rule, volunteer: VolunteerState) -> bool:
        if volunteer.opted_out or volunteer.undeliverable:
            return False
        if rule.phase == "ballot":  # whatever the branch decided, everyone has a vote
            return not volunteer.has_voted
        if volunteer.has_outcome:
            return False
        if rule.branch == "no-meeting":
            return volunteer.meeting_date is None
        if rule.branch == "meeting-called":
            return volunteer.meeting_date is not None
        return True

    def _timed(
        self,
        rule: Rule,
        first: date,
        last: date,
        volunteer: VolunteerState | None,
        days: tuple[date, date] | None = None,
    ) -> Iterator[tuple[datetime, datetime, str]]:
        """(raw moment, moment, occurrence) for the rule, the moment after quiet hours and
        phase limits, on `days` only if given. Whoever gets it: a volunteer's message
        falls away if its raw moment is before they signed up (see `_for_rule`)."""
        for raw, occurrence in self._raw(rule, first, last, volunteer):
            moment = self.quiet.next_allowed(raw, self.zone) if rule.personal else raw
            if rule.phase == "nominations" and moment > self.campaign.nominations_close:
                continue
            if rule.phase == "ballot" and moment >= self.campaign.ballot_close:
                continue
            if (
                rule.until is not None
                and rule.signup is not None
                and moment > self.campaign.resolve(rule.until, end_of_day=True)
            ):
                continue
            if days is not None and not days[0] <= moment.astimezone(self.zone).date() <= days[1]:
                continue
            yield raw, moment, occurrence

    def _raw(
        self, rule: Rule, first: date, last: date, volunteer: VolunteerState | None
    ) -> Iterator[tuple[datetime, str]]:
        zone = self.zone
        if rule.at is not None:
            moment = self.campaign.resolve(rule.at).astimezone(zone)
            if first <= moment.date() <= last:
                yield moment, moment.date().isoformat()
        elif rule.every is not None:
            assert rule.start is not None and rule.until is not None
            begin = self.campaign.resolve(rule.start)
            finish = self.campaign.resolve(rule.until, end_of_day=True)
            span_first = max(first, begin.date())
            span_last = min(last, finish.date())
            for day in _days(span_first, span_last):
                if rule.every.weekday is not None:
                    if WEEKDAYS[day.weekday()] != rule.every.weekday:
                        continue
                elif (day - begin.date()).days % (rule.every.days or 1):
                    continue
                moment = _at(day, rule.every.time, zone)
                if begin <= moment <= finish:
                    yield moment, day.isoformat()
        elif rule.cadence is not None:
            yield from self._cadence(rule, first, last, volunteer)
        elif rule.signup is not None:
            if volunteer is not None:
                moment = volunteer.signed_up_at + timedelta(minutes=rule.signup.minutes)
                if rule.start is None or moment >= self.campaign.resolve(rule.start):
                    yield moment.astimezone(zone), "signup"
        elif rule.meeting is not None and volunteer is not None and volunteer.meeting_date:
            meeting = volunteer.meeting_date
            relative = rule.meeting
            if relative.after_end_minutes is not None:  # after it ends
                ends = self.campaign.meeting.ends(meeting, volunteer.meeting_time, zone)
                after = timedelta(minutes=relative.after_end_minutes)
                yield (ends + after).astimezone(zone), f"meeting:{meeting.isoformat()}:after"
                return
            assert relative.days is not None and relative.time is not None
            day = meeting + timedelta(days=relative.days)
            yield _at(day, relative.time, zone), f"meeting:{meeting.isoformat()}"
            if rule.repeat is not None:
                for number in range(1, rule.repeat.times + 1):
                    again = day + timedelta(days=rule.repeat.after_days * number)
                    yield (
                        _at(again, relative.time, zone),
                        f"meeting:{meeting.isoformat()}:again-{number}",
                    )

    def _cadence(
        self, rule: Rule, first: date, last: date, volunteer: VolunteerState | None
    ) -> Iterator[tuple[datetime, str]]:
        assert rule.cadence is not None and rule.start is not None and rule.until is not None
        assert rule.time is not None
        begin = self.campaign.resolve(rule.start).date()
        finish = self.campaign.resolve(rule.until, end_of_day=True).date()
        steps = sorted(rule.cadence, key=lambda s: -s.days_left)

        def gap(day: date) -> int:
            left = (finish - day).days
            return next((s.every for s in steps if left >= s.days_left), steps[-1].every)

        day = begin
        if volunteer is not None:
            joined = volunteer.signed_up_at.astimezone(self.zone).date()
            if joined >= begin:
                day = joined + timedelta(days=gap(joined))
        while day <= min(finish, last):
            if day >= first:
                yield _at(day, rule.time, self.zone), day.isoformat()
            day += timedelta(days=gap(day))

    # --- one message per volunteer per day ------------------------------------------

    def _one_a_day(self, planned: Iterable[Planned]) -> list[Planned]:
        kept: list[Planned] = []
        by_day: dict[tuple[str, date], list[Planned]] = defaultdict(list)
        for item in planned:
            if item.audience == "volunteer":
                by_day[(item.recipient, item.at.astimezone(self.zone).date())].append(item)
            else:
                kept.append(item)
        for (_, day), items in by_day.items():
            items.sort(key=lambda p: (-p.rule.priority, self.order[p.rule.id]))
            meeting = items[0].volunteer.meeting_date if items[0].volunteer else None
            kept.extend(items[: self.campaign.limit_on(day, meeting)])
        return kept
