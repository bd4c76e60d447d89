"""The campaign's state: an async repository over SQLite (default) or PostgreSQL."""

from bot.store.records import (
    OUTCOME_INQUORATE,
    OUTCOME_NOMINATED,
    OUTCOME_NONE,
    OUTCOME_OTHER,
    Erasure,
    FaqAnswer,
    Meeting,
    MeetingResult,
    Nomination,
    NominationResult,
    SignUp,
    Tally,
    UnansweredQuestion,
    Volunteer,
)
from bot.store.repository import NominationReport, Store

__all__ = [
    "OUTCOME_INQUORATE",
    "OUTCOME_NOMINATED",
    "OUTCOME_NONE",
    "OUTCOME_OTHER",
    "Erasure",
    "FaqAnswer",
    "Meeting",
    "MeetingResult",
    "Nomination",
    "NominationReport",
    "NominationResult",
    "SignUp",
    "Store",
    "Tally",
    "UnansweredQuestion",
    "Volunteer",
]
