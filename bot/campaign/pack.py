"""The campaign pack, loaded: candidate, timetable, rules, manifesto, FAQ, background,
branches, reminder rules and the ballot, with the dates and fields pack text may use.
`bot.campaign.loading` reads and checks a pack folder into a `Campaign`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from pathlib import Path
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz

from bot.campaign.ballot import BallotFile, ballot_days, ballot_fields
from bot.campaign.dates import clock_time, day_name, plural
from bot.campaign.domain import Branch, Problem
from bot.campaign.meeting import MeetingFile, MeetingNotice
from bot.campaign.models import (
    REASON_WORDS,
    BackgroundFile,
    CampaignFile,
    Candidate,
    FaqEntry,
    LanguageFile,
    Rules,
    Section,
    StepsFile,
)
from bot.campaign.rules import (
    DigestText,
    Moment,
    QuietWindow,
    Rule,
)


@dataclass(frozen=True)
class Campaign:
    """A loaded, checked campaign pack."""

    root: Path
    info: CampaignFile
    sections: tuple[Section, ...]
    steps: StepsFile
    faq: tuple[FaqEntry, ...]
    background: BackgroundFile | None
    branches: tuple[Branch, ...]
    reminders: tuple[Rule, ...] = ()
    digest_text: DigestText | None = None
    language: LanguageFile = dataclass_field(default_factory=LanguageFile)
    ballot: BallotFile | None = None  # ballot.yaml: how to vote, the post, a missing paper
    quiet_hours: QuietWindow = dataclass_field(default_factory=QuietWindow)  # reminders.yaml
    daily_limit: int = 1  # reminders.yaml: personal messages to one volunteer in a day
    meeting: MeetingFile = dataclass_field(default_factory=MeetingFile)  # meeting.yaml
    meeting_day_limit: int | None = None  # reminders.yaml: the same, on their meeting's day

    def limit_on(self, day: date, meeting: date | None) -> int:
        """The most personal messages a volunteer gets on `day`, their branch's meeting
        being on `meeting`."""
        if meeting == day and self.meeting_day_limit is not None:
            return self.meeting_day_limit
        return self.daily_limit

    @property
    def digest(self) -> DigestText:
        """The digest's wording (a pack with rules for organisers always has it)."""
        if self.digest_text is None:
            raise LookupError("the pack has no digest wording")
        return self.digest_text

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.info.timezone)

    @property
    def candidate(self) -> Candidate:
        return self.info.candidate

    @property
    def rules(self) -> Rules:
        return self.info.rules

    @property
    def threshold(self) -> int:
        """How many branches the candidate needs."""
        return self.rules.nomination_threshold

    def word(self, problem: Problem) -> str:
        """A reason a nomination does not count, in the pack's words."""
        template = self.info.reasons.get(problem.reason) or REASON_WORDS[problem.reason]
        return self.fill(template, {"days": plural(problem.days, "day")})

    def moment(self, event_id: str) -> datetime:
        return self.info.timetable[event_id].local(self.zone)

    @cached_property
    def nominations_open(self) -> datetime:
        return self.moment("nominations_open")

    @cached_property
    def nominations_close(self) -> datetime:
        return self.moment("nominations_close")

    @cached_property
    def ballot_open(self) -> datetime:
        return self.moment("ballot_open")

    @cached_property
    def ballot_close(self) -> datetime:
        return self.moment("ballot_close")

    @property
    def demo_now(self) -> datetime | None:
        """The pack's demonstration moment, in the campaign's zone."""
        at = self.info.demo_now
        if at is None:
            return None
        return at.replace(tzinfo=self.zone) if at.tzinfo is None else at.astimezone(self.zone)

    @cached_property
    def purge_after(self) -> datetime:
        if "purge_after" in self.info.timetable:
            return self.moment("purge_after")
        return self.ballot_close + timedelta(days=30)

    @cached_property
    def notice_cutoff(self) -> date:
        """The last day a meeting on the closing day can be called with enough notice."""
        return self.nominations_close.date() - timedelta(days=self.rules.notice_days)

    @cached_property
    def check_in(self) -> date:
        """A week before the notice cut-off: when to chase a branch that has said nothing."""
        return self.notice_cutoff - timedelta(days=7)

    @cached_property
    def fields(self) -> Mapping[str, str]:
        """Values that pack text may use as `{name}`."""
        close = self.nominations_close
        ballot_close = self.ballot_close
        fields = {
            "open": day_name(self.nominations_open.date()),
            "close": day_name(close.date()),
            "close_time": clock_time(close),
            "notice_cutoff": day_name(self.notice_cutoff),
            "check_in": day_name(self.check_in),
            "ballot_open": day_name(self.ballot_open.date()),
            "ballot_close": day_name(ballot_close.date()),
            "ballot_close_time": clock_time(ballot_close),
            "purge_after": day_name(self.purge_after.date()),
            "threshold": str(self.rules.nomination_threshold),
            "notice_days": str(self.rules.notice_days),
            "candidate": self.candidate.name,
            "short_name": self.candidate.short_name,
            "post": self.candidate.post,
            "union": self.candidate.union,
            "email": self.info.contact.email,
            "website": self.info.contact.website,
            "twitter": self.info.contact.twitter,
        }
        if "acceptances_due" in self.info.timetable:
            fields["acceptances_due"] = day_name(self.moment("acceptances_due").date())
        fields.update(ballot_fields(self))
        return fields

    def anchor(self, name: str, end_of_day: bool = False) -> datetime:
        """A timetable event, or notice_cutoff / check_in (days: start or end of day)."""
        if name in self.info.timetable:
            return self.moment(name)
        days = {"notice_cutoff": self.notice_cutoff, "check_in": self.check_in}
        day = days[name] if name in days else ballot_days(self)[name]
        at = time(23, 59, 59) if end_of_day else time(0, 0)
        return datetime.combine(day, at, tzinfo=self.zone)

    @cached_property
    def _resolved(self) -> dict[tuple[str, int, time | None, bool], datetime]:
        return {}  # the planner resolves the same moments for every volunteer, every sweep

    def resolve(self, moment: Moment, end_of_day: bool = False) -> datetime:
        """A pack moment (anchor, days, time) as a local datetime."""
        # Keyed by the moment's plain values: hashing the model itself is far slower.
        key = (moment.anchor, moment.days, moment.time, end_of_day)
        found = self._resolved.get(key)
        if found is None:
            base = self.anchor(moment.anchor, end_of_day and moment.time is None)
            day = base.date() + timedelta(days=moment.days)
            at = moment.time if moment.time is not None else base.time()
            found = self._resolved[key] = datetime.combine(day, at, tzinfo=self.zone)
        return found

    def names_candidate(self, text: str) -> bool:
        """Whether `text` ("Serwotka", "mark serwotka") names the candidate."""
        names = [self.candidate.name, self.candidate.short_name, *self.candidate.aliases]
        wanted = text.lower().strip()
        return any(fuzz.WRatio(wanted, name.lower()) >= 88 for name in names if len(name) > 3)

    def fill(self, template: str, extra: Mapping[str, str] | None = None) -> str:
        values = dict(self.fields)
        if extra:
            values.update(extra)
        return template.format_map(values)

    def meeting_fields(self, branch: str, on: date, at: time, place: str) -> dict[str, str]:
        """A meeting's values for the meeting's texts (`bot.campaign.meeting`)."""
        values = {
            "branch": branch,
            "date": day_name(on),
            "time": clock_time(at),
            "place": place,
            "notice_by": day_name(self.notice_by(on)),
        }
        values["agenda"] = self.fill(self.meeting.agenda, values)
        return values

    def notice_by(self, meeting: date) -> date:
        """The last day notice of a meeting on `meeting` can go out."""
        return meeting - timedelta(days=self.rules.notice_days)

    def meeting_notice(self, branch: str, on: date, at: time, place: str) -> MeetingNotice:
        values = self.meeting_fields(branch, on, at, place)
        pack = self.meeting
        return MeetingNotice(
            send_by=self.fill(pack.send_by, values),
            subject=self.fill(pack.subject, values),
            body=self.fill(pack.notice, values),
            notice_by=self.notice_by(on),
        )
