"""Where each branch stands, and whether a reported nomination will count.

Everything here is derived from what is recorded: the stage is the furthest step a
branch's records show, and compliance is checked against the campaign's rules (meeting
by the close, enough notice, form sent by a named official before the deadline).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum

from bot.campaign.dates import day_name, short_day
from bot.campaign.domain import BranchFacts, HistoryEvent, Outcome, Problem, Reason
from bot.campaign.pack import Campaign

NO_VOLUNTEER = "no volunteer"
VOLUNTEER = "volunteer signed up"
MEETING_CALLED = "meeting called"
MEETING_HELD = "meeting held"
NOMINATED = "nominated us"
OTHER = "nominated another candidate"
NONE = "no nomination"
INQUORATE = "not quorate"
FORM_SENT = "form sent"
CONFIRMED = "confirmed in the official report"

STAGES = (
    NO_VOLUNTEER,
    VOLUNTEER,
    MEETING_CALLED,
    MEETING_HELD,
    NOMINATED,
    OTHER,
    NONE,
    INQUORATE,
    FORM_SENT,
    CONFIRMED,
)
FINISHED = frozenset({OTHER, NONE, INQUORATE, CONFIRMED})
_OUTCOME_STAGE = {
    Outcome.NOMINATED: NOMINATED,
    Outcome.OTHER: OTHER,
    Outcome.NONE: NONE,
    Outcome.INQUORATE: INQUORATE,
}

NEXT_STEP = {
    NO_VOLUNTEER: "find a member there who will volunteer (/volunteer).",
    VOLUNTEER: "ask the Branch Secretary to call a general meeting, then report it with /meeting.",
    MEETING_CALLED: "propose the nomination at the meeting; report the result with /nominate.",
    MEETING_HELD: "report the meeting's result with /nominate.",
    NOMINATED: "the form goes to the union, signed by {form_sent_by}; report it with /formsent.",
    OTHER: "nothing more at this branch: ask members to vote in the ballot.",
    NONE: "nothing more at this branch: ask members to vote in the ballot.",
    INQUORATE: "if there is still time, ask for the meeting to be called again with notice.",
    FORM_SENT: "wait for the union's official report; organisers reconcile it.",
    CONFIRMED: "done: the nomination is in the official report.",
}


AFTER_CLOSE = "nominations have closed: ask members to vote in the ballot."
_OPEN_STAGES = frozenset({NO_VOLUNTEER, VOLUNTEER, MEETING_CALLED, MEETING_HELD, INQUORATE})


def next_step(stage: str, campaign: Campaign, now: datetime) -> str:
    """What the branch does next; no meeting advice once nominations have closed."""
    if stage in _OPEN_STAGES and now >= campaign.nominations_close:
        return AFTER_CLOSE
    return NEXT_STEP[stage].format(form_sent_by=campaign.rules.form_sent_by)


class Verdict(StrEnum):
    """Will a reported nomination count?"""

    YES = "Yes"
    NO = "No"
    NOT_YET = "Not yet"


@dataclass(frozen=True, slots=True)
class Standing:
    code: str
    name: str
    group: str
    region: str
    stage: str
    since: datetime | None
    problems: tuple[Problem, ...] = ()

    @property
    def finished(self) -> bool:
        return self.stage in FINISHED


def stage_of(facts: BranchFacts, today: date, zone: tzinfo = UTC) -> tuple[str, datetime | None]:
    """The furthest step the records show, and when the branch reached it."""
    outcome = facts.outcome
    if facts.confirmed_at:
        return CONFIRMED, facts.confirmed_at
    if outcome == Outcome.NOMINATED and facts.form_sent_at:
        return FORM_SENT, facts.form_sent_at
    if outcome is not None:
        return _OUTCOME_STAGE[outcome], facts.reported_at
    meeting = facts.meeting_date
    if meeting is not None:
        if meeting < today:
            return MEETING_HELD, datetime.combine(meeting, datetime.min.time(), tzinfo=zone)
        return MEETING_CALLED, facts.meeting_reported_at
    if facts.volunteers:
        return VOLUNTEER, facts.first_volunteer_at
    return NO_VOLUNTEER, None


def held_by(meeting: date, now: datetime, campaign: Campaign) -> bool:
    """Whether a meeting on `meeting` has taken place by `now` (its day has come)."""
    return meeting <= now.astimezone(campaign.zone).date()


def outside_window(meeting: date, campaign: Campaign) -> Reason | None:
    """Why a meeting on `meeting` falls outside the nomination window, if it does."""
    if meeting > campaign.nominations_close.astimezone(campaign.zone).date():
        return Reason.MEETING_AFTER_CLOSE
    if meeting < campaign.nominations_open.astimezone(campaign.zone).date():
        return Reason.MEETING_BEFORE_OPEN
    return None


def form_late(sent: datetime, campaign: Campaign) -> bool:
    """A form sent after the close, to the minute: 17:00 is in time, 17:01 is not."""
    return sent > campaign.nominations_close


def form_before_meeting(sent: datetime, meeting: date, campaign: Campaign) -> bool:
    """A form dated before the meeting whose decision it records (where the pack's
    rules say it must go in on or after the meeting day)."""
    return campaign.rules.form_after_meeting and sent.astimezone(campaign.zone).date() < meeting


def meeting_of(facts: BranchFacts) -> date | None:
    """The meeting a branch's reported result is for."""
    return facts.nominated_at_meeting or facts.meeting_date


def to_come(facts: BranchFacts, campaign: Campaign, now: datetime) -> date | None:
    """The meeting's date, if a result is reported for a meeting still to come: such a
    result is held as pending (not counted, not reported, not verifiable) until then."""
    meeting = meeting_of(facts)
    if facts.outcome is None or meeting is None or held_by(meeting, now, campaign):
        return None
    return meeting


def compliance(facts: BranchFacts, campaign: Campaign, now: datetime) -> tuple[Problem, ...]:
    """Why a reported nomination for the candidate does not count at `now` (empty: it
    does). A meeting still to come never counts, whatever was reported about it."""
    if facts.outcome != Outcome.NOMINATED:
        return ()
    problems = []
    meeting = meeting_of(facts)
    need = campaign.rules.notice_days
    if meeting is None:
        problems.append(Problem(Reason.NO_MEETING_DATE))
    else:
        outside = outside_window(meeting, campaign)
        if outside is not None:
            problems.append(Problem(outside))
        if to_come(facts, campaign, now) is not None:
            problems.append(Problem(Reason.MEETING_TO_COME))
    notice = facts.notice_date
    if meeting is not None and facts.meeting_date == meeting:
        if notice is None:
            problems.append(Problem(Reason.NO_NOTICE_DATE))
        elif (meeting - notice).days < need:
            problems.append(Problem(Reason.SHORT_NOTICE, (meeting - notice).days))
    elif meeting is not None:
        problems.append(Problem(Reason.NO_NOTICE_DATE))
    sent = facts.form_sent_at
    if sent is None or not facts.form_official:
        problems.append(Problem(Reason.NO_FORM))
    elif form_late(sent, campaign):
        problems.append(Problem(Reason.FORM_LATE))
    elif meeting is not None and form_before_meeting(sent, meeting, campaign):
        problems.append(Problem(Reason.FORM_BEFORE_MEETING))
    return tuple(problems)


def verdict(problems: Sequence[Problem]) -> Verdict:
    """Yes (every check passes), No (a reason no later report can change) or Not yet."""
    if not problems:
        return Verdict.YES
    return Verdict.NO if any(p.final for p in problems) else Verdict.NOT_YET


def will_it_count(problems: Sequence[Problem], nominated: bool, campaign: Campaign) -> str | None:
    """The answer to "will it count?": Yes, No (with what cannot change) or Not yet."""
    if not nominated:
        return None
    answer = verdict(problems)
    if answer == Verdict.YES:
        return "Yes: every check passes."
    shown = [p for p in problems if p.final] if answer == Verdict.NO else list(problems)
    return f"{answer}: " + "; ".join(campaign.word(p) for p in shown) + "."


def standings(rows: Sequence[BranchFacts], campaign: Campaign, now: datetime) -> list[Standing]:
    out = []
    today = now.astimezone(campaign.zone).date()
    for row in rows:
        stage, since = stage_of(row, today, campaign.zone)
        out.append(
            Standing(
                row.code,
                row.name,
                row.group,
                row.region,
                stage,
                since,
                compliance(row, campaign, now),
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Counting:
    """The candidate's nominations, split by whether they count yet. A result for a
    meeting still to come is pending: neither counted nor reported until its day."""

    counted: int
    counted_verified: int
    waiting: dict[str, list[str]]  # reason, as worded -> branch names
    pending: list[tuple[str, date]] = field(default_factory=list)  # name, meeting day

    @property
    def not_counted(self) -> int:
        return len({name for names in self.waiting.values() for name in names})

    @property
    def reported(self) -> int:
        """Reported for the candidate, leaving out results for meetings still to come."""
        return self.counted + self.not_counted


def counting(rows: Sequence[BranchFacts], campaign: Campaign, now: datetime) -> Counting:
    counted = verified = 0
    waiting: dict[str, list[str]] = {}
    pending: list[tuple[str, date]] = []
    for row in rows:
        if row.outcome != Outcome.NOMINATED:
            continue
        problems = compliance(row, campaign, now)
        if not problems:
            counted += 1
            verified += 1 if row.verified_at else 0
            continue
        meeting = to_come(row, campaign, now)
        if meeting is not None:
            pending.append((row.name, meeting))
            continue
        for problem in problems:
            waiting.setdefault(campaign.word(problem), []).append(row.name)
    return Counting(counted, verified, waiting, sorted(pending, key=lambda p: (p[1], p[0])))


def describe_waiting(count: Counting, limit: int = 3) -> str:
    parts = []
    for reason, names in sorted(count.waiting.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        parts.append(f"{reason}: {_listed(names, limit)}")
    return "; ".join(parts)


# Results for meetings still to come, as /progress and progress posts list them.
PENDING = "Held until their meeting has happened: {listed}."


def describe_pending(count: Counting, limit: int = 3) -> str:
    """The results held until their meetings: "DWP Leeds (Mon 30 Sep)"."""
    return _listed([f"{name} ({short_day(day)})" for name, day in count.pending], limit)


def _listed(names: Sequence[str], limit: int) -> str:
    more = len(names) - limit
    return ", ".join(names[:limit]) + (f" and {more} more" if more > 0 else "")


def stage_counts(found: Sequence[Standing]) -> Counter[str]:
    return Counter(s.stage for s in found)


# The step a branch has still to take, by stage (for the stuck lists).
STEP_NAME = {
    VOLUNTEER: "call the meeting",
    MEETING_HELD: "report the result",
    NOMINATED: "send the form",
}


def own_step(stage: str, campaign: Campaign, now: datetime) -> bool:
    """Whether a branch at `stage` still has a step of its own to take at `now`: call
    its meeting (while members can still get notice), report the result of a meeting
    held, send (or report) the form. A meeting still to come is waiting on its day, a
    sent form on the organisers, and once the ballot opens no branch step is left."""
    if now >= campaign.ballot_open:
        return False
    if stage == VOLUNTEER:
        return now.astimezone(campaign.zone).date() <= campaign.notice_cutoff
    return stage in (MEETING_HELD, NOMINATED)


def days_since(standing: Standing, now: datetime) -> int:
    """Whole days since the branch took its last step."""
    moment = standing.since or now
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return max(0, (now - moment).days)


def stuck_longest(
    found: Sequence[Standing], campaign: Campaign, now: datetime, limit: int = 5
) -> list[Standing]:
    """Branches with a step of their own still to take, the longest waiting first."""
    waiting = [s for s in found if s.since and own_step(s.stage, campaign, now)]
    return sorted(waiting, key=lambda s: (-days_since(s, now), s.name))[:limit]


def to_verify(rows: Sequence[BranchFacts]) -> list[BranchFacts]:
    """The organisers' to-do: nominations whose branch has done its part (the form is
    sent), waiting to be verified; the longest waiting first."""
    waiting = [
        r
        for r in rows
        if r.outcome == Outcome.NOMINATED
        and r.form_sent_at is not None
        and r.verified_at is None
        and r.confirmed_at is None
    ]
    return sorted(
        waiting, key=lambda r: (r.form_sent_at or datetime.min.replace(tzinfo=UTC), r.name)
    )


def history_line(event: HistoryEvent, zone: tzinfo, organiser: bool) -> str:
    """One line of a branch's history; names only for organisers."""
    when = short_day(event.at.astimezone(zone).date())
    who = f" by {event.display_name}" if organiser and event.display_name else ""
    action = event.action
    if action == "verify":
        return f"{when}: verified{who}"
    if action == "formsent":
        reported = f" (reported{who})" if who else ""
        # The purge drops the official's name; the form was still signed by one.
        signed = event.nominee or "a named official"
        return f"{when}: form sent, signed by {signed}{reported}"
    if action == "confirmed":
        return f"{when}: confirmed in the official report"
    labels = {
        Outcome.NOMINATED: "nominated us",
        Outcome.OTHER: f"nominated {event.nominee or 'another candidate'}",
        Outcome.NONE: "no nomination",
        Outcome.INQUORATE: "meeting not quorate",
    }
    outcome = labels.get(Outcome(event.outcome)) if event.outcome in labels else None
    outcome = outcome or event.outcome or ""
    verb = "reported" if action == "report" else "corrected"
    return f"{when}: {outcome} ({verb}{who})"


def meeting_line(meeting_date: date, notice: date | None) -> str:
    told = f", notice given {short_day(notice)}" if notice else ", notice date not reported"
    return f"meeting on {day_name(meeting_date)}{told}"


def bar(count: int, need: int, width: int = 15) -> str:
    """A text bar of `count` against `need`: filled squares, then empty ones."""
    filled = min(width, round(width * count / need)) if need else width
    return "\u25a0" * filled + "\u25a1" * (width - filled) + f" {count}/{need}"


def tally_line(count: Counting, need: int) -> str:
    return (
        f"{count.counted} of the {need} branches needed count so far "
        f"({count.reported} reported, {count.counted_verified} verified)."
    )
