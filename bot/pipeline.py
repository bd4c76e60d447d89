"""Where each branch stands, and whether a reported nomination will count.

Everything here is derived from what is recorded: the stage is the furthest step a
branch's records show, and compliance is checked against the campaign's rules (meeting
by the close, enough notice, form sent by a named official before the deadline).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from bot.campaign import Campaign
from bot.dates import day_name, plural, short_day
from bot.domain import BranchFacts, HistoryEvent, Outcome

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
    NOMINATED: "the form goes to the union, signed by an official who was at the meeting; "
    "report it with /formsent.",
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
    return NEXT_STEP[stage]


@dataclass(frozen=True, slots=True)
class Standing:
    code: str
    name: str
    group: str
    region: str
    stage: str
    since: datetime | None
    problems: tuple[str, ...] = ()

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


# Reasons that no later report can change: the reply says "No", not "Not yet".
FINAL_PROBLEMS = (
    "meeting after the close",
    "meeting before nominations opened",
    "' notice",
    "form sent after",
)


def is_final(problem: str) -> bool:
    return any(part in problem for part in FINAL_PROBLEMS)


def held_by(meeting: date, now: datetime, campaign: Campaign) -> bool:
    """Whether a meeting on `meeting` has taken place by `now` (its day has come)."""
    return meeting <= now.astimezone(campaign.zone).date()


def compliance(facts: BranchFacts, campaign: Campaign, now: datetime) -> tuple[str, ...]:
    """Why a reported nomination for the candidate does not count at `now` (empty: it
    does). A meeting still to come never counts, whatever was reported about it."""
    if facts.outcome != Outcome.NOMINATED:
        return ()
    problems = []
    meeting = facts.nominated_at_meeting or facts.meeting_date
    close = campaign.nominations_close
    need = campaign.rules.notice_days
    if meeting is None:
        problems.append("meeting date not reported")
    elif meeting > close.date():
        problems.append("meeting after the close")
    elif meeting < campaign.nominations_open.date():
        problems.append("meeting before nominations opened")
    elif not held_by(meeting, now, campaign):
        problems.append("meeting not held yet")
    notice = facts.notice_date
    if meeting is not None and facts.meeting_date == meeting:
        if notice is None:
            problems.append("notice date not reported")
        elif (meeting - notice).days < need:
            problems.append(f"only {plural((meeting - notice).days, 'day')}' notice")
    elif meeting is not None:
        problems.append("notice date not reported")
    sent = facts.form_sent_at
    if sent is None or not facts.form_official:
        problems.append("form not sent yet")
    elif sent > close:
        problems.append("form sent after the deadline")
    return tuple(problems)


def will_it_count(problems: Sequence[str], nominated: bool) -> str | None:
    """The answer to "will it count?": Yes, No (with what cannot change) or Not yet."""
    if not nominated:
        return None
    if not problems:
        return "Yes: every check passes."
    final = [p for p in problems if is_final(p)]
    if final:
        return "No: " + "; ".join(final) + "."
    return "Not yet: " + "; ".join(problems) + "."


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
    """The candidate's nominations, split by whether they count yet."""

    counted: int
    counted_verified: int
    waiting: dict[str, list[str]]  # reason -> branch names

    @property
    def not_counted(self) -> int:
        return len({name for names in self.waiting.values() for name in names})


def counting(rows: Sequence[BranchFacts], campaign: Campaign, now: datetime) -> Counting:
    counted = verified = 0
    waiting: dict[str, list[str]] = {}
    for row in rows:
        if row.outcome != Outcome.NOMINATED:
            continue
        problems = compliance(row, campaign, now)
        if not problems:
            counted += 1
            verified += 1 if row.verified_at else 0
            continue
        for problem in problems:
            waiting.setdefault(problem, []).append(row.name)
    return Counting(counted, verified, waiting)


def describe_waiting(count: Counting, limit: int = 3) -> str:
    parts = []
    for reason, names in sorted(count.waiting.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        shown = ", ".join(names[:limit]) + (
            f" and {len(names) - limit} more" if len(names) > limit else ""
        )
        parts.append(f"{reason}: {shown}")
    return "; ".join(parts)


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
        return f"{when}: form sent, signed by {event.nominee}{reported}"
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
    reported = count.counted + count.not_counted
    return (
        f"{count.counted} of the {need} branches needed count so far "
        f"({reported} reported, {count.counted_verified} verified)."
    )
