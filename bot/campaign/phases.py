"""The campaign's phases, read from the pack's timetable at a given moment.

before (nominations not open yet), nominations, between (the close to the ballot),
ballot, after (the ballot has closed). Advice, next steps and sign-up promises follow
the phase, so nobody is told to call a meeting once nominations have closed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from bot.campaign.pack import Campaign

Phase = Literal["before", "nominations", "between", "ballot", "after"]
PHASES: tuple[Phase, ...] = ("before", "nominations", "between", "ballot", "after")


def phase_of(campaign: Campaign, now: datetime) -> Phase:
    if now < campaign.nominations_open:
        return "before"
    if now < campaign.nominations_close:
        return "nominations"
    if now < campaign.ballot_open:
        return "between"
    if now < campaign.ballot_close:
        return "ballot"
    return "after"


def meetings_over(campaign: Campaign, now: datetime) -> bool:
    """Nominations have closed: no meeting can still make a nomination count."""
    return phase_of(campaign, now) in ("between", "ballot", "after")


# What supporters can do, by phase, for the phases where the pack's nomination steps
# (steps.yaml) no longer or not yet apply.
STEPS_BY_PHASE: dict[Phase, str] = {
    "between": (
        "Nominations closed at {close_time} on {close}. The ballot opens on {ballot_open}: "
        "until then, tell colleagues the ballot is coming and make sure the union has "
        "their home address, so their ballot paper reaches them."
    ),
    "ballot": (
        "The ballot is open until {ballot_close_time} on {ballot_close}. Vote for "
        "{short_name}, then ask colleagues to vote too (/voted, /pledge). If your ballot "
        "paper has not come, see /ballot."
    ),
    "after": (
        "The ballot closed at {ballot_close_time} on {ballot_close}. Thank you for "
        "everything you did in this campaign."
    ),
}


def steps_for_phase(campaign: Campaign, now: datetime) -> str | None:
    """The phase's own advice, or None while the pack's nomination steps apply."""
    text = STEPS_BY_PHASE.get(phase_of(campaign, now))
    return campaign.fill(text) if text else None
