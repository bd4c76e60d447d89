"""Where each branch stands, and whether a reported nomination will count.

Everything here is derived from what is recorded: the stage is the furthest step a
branch's records show, and compliance is checked against the campaign's rules (meeting
by the close, enough notice, form sent by a named official before the deadline).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.campaign import Campaign
from bot.dates import day_name, plural, short_day
from bot.store import OUTCOME_INQUORATE, OUTCOME_NOMINATED, OUTCOME_NONE, OUTCOME_OTHER

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
    OUTCOME_NOMINATED: NOMINATED,
    OUTCOME_OTHER: OTHER,
    OUTCOME_NONE: NONE,
    OUTCOME_INQUORATE: INQUORATE,
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


def stage_of(facts: Mapping[str, Any], today: date) -> tuple[str, datetime | None]:
    """The furthest step the records show, and when the branch reached it."""
    outcome = facts.get("outcome")
    if facts.get("confirmed_at"):
        return CONFIRMED, facts["confirmed_at"]
    if outcome == OUTCOME_NOMINATED and facts.get("form_sent_at"):
        return FORM_SENT, facts["form_sent_at"]
    if outcome in _OUTCOME_STAGE:
        return _OUTCOME_STAGE[outcome], facts.get("reported_at")
    meeting: date | None = facts.get("meeting_date")
    if meeting is not None:
        if meeting < today:
            return MEETING_HELD, datetime.combine(meeting, datetime.min.time())
        return MEETING_CALLED, facts.get("meeting_reported_at")
    if facts.get("volunteers"):
        return VOLUNTEER, facts.get("first_volunteer_at")
    return NO_VOLUNTEER, None


def compliance(facts: Mapping[str, Any], campaign: Campaign) -> tuple[str, ...]:
    """Why a reported nomination for the candidate would not count (empty: it would)."""
    if facts.get("outcome") != OUTCOME_NOMINATED:
        return ()
    problems = []
    meeting: date | None = facts.get("nominated_at_meeting") or facts.get("meeting_date")
    close = campaign.nominations_close
    need = campaign.rules.notice_days
    if meeting is None:
        problems.append("meeting date not reported")
    elif meeting > close.date():
        problems.append("meeting after the close")
    notice: date | None = facts.get("notice_date")
    if meeting is not None and facts.get("meeting_date") == meeting:
        if notice is None:
            problems.append("notice date not reported")
        elif (meeting - notice).days < need:
            problems.append(f"only {plural((meeting - notice).days, 'day')}' notice")
    elif meeting is not None:
        problems.append("notice date not reported")
    sent: datetime | None = facts.get("form_sent_at")
    if sent is None or not facts.get("form_official"):
        problems.append("form not sent yet")
    elif sent > close:
        problems.append("form sent after the deadline")
    return tuple(problems)


def standings(rows: Sequence[Mapping[str, Any]], campaign: Campaign, today: date) -> list[Standing]:
    out = []
    for row in rows:
        stage, since = stage_of(row, today)
        out.append(
            Standing(
                row["code"],
                row["name"],
                row["group_name"],
                row["region"],
                stage,
                since,
                compliance(row, campaign),
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


def counting(rows: Sequence[Mapping[str, Any]], campaign: Campaign) -> Counting:
    counted = verified = 0
    waiting: dict[str, list[str]] = {}
    for row in rows:
        if row.get("outcome") != OUTCOME_NOMINATED:
            continue
        problems = compliance(row, campaign)
        if not problems:
            counted += 1
            verified += 1 if row.get("verified_at") else 0
            continue
        for problem in problems:
            waiting.setdefault(problem, []).append(row["name"])
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


def stuck_longest(found: Sequence[Standing], now: datetime, limit: int = 5) -> list[Standing]:
    waiting = [s for s in found if not s.finished and s.stage != NO_VOLUNTEER and s.since]
    return sorted(waiting, key=lambda s: s.since or now)[:limit]


def history_line(event: Mapping[str, Any], zone: Any, organiser: bool) -> str:
    """One line of a branch's history; names only for organisers."""
    when = short_day(event["at"].astimezone(zone).date())
    who = f" by {event['display_name']}" if organiser and event.get("display_name") else ""
    action = event["action"]
    if action == "verify":
        return f"{when}: verified{who}"
    if action == "formsent":
        reported = f" (reported{who})" if who else ""
        return f"{when}: form sent, signed by {event['nominee']}{reported}"
    if action == "confirmed":
        return f"{when}: confirmed in the official report"
    outcome = {
        OUTCOME_NOMINATED: "nominated us",
        OUTCOME_OTHER: f"nominated {event.get('nominee') or 'another candidate'}",
        OUTCOME_NONE: "no nomination",
        OUTCOME_INQUORATE: "meeting not quorate",
    }.get(event["outcome"], event["outcome"])
    verb = "reported" if action == "report" else "corrected"
    return f"{when}: {outcome} ({verb}{who})"


def meeting_line(meeting_date: date, notice: date | None) -> str:
    told = f", notice given {short_day(notice)}" if notice else ", notice date not reported"
    return f"meeting on {day_name(meeting_date)}{told}"
