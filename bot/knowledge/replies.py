"""What the answer engine gives back: an answer (or an honest decline, or a "not stated"
reply naming the nearest passage), and the answers organisers add from chat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_ANSWER = 600  # characters: the longest answer the bot gives

# The kinds of thing asked that are not dates ("how many votes when he was first
# elected?" asks for a figure): never answered from the timetable's dates.
NOT_DATES = frozenset(
    [
        "figure",
        "count",
        "name",
        "price",
        "initials",
        "cause",
        "happened",
        "phone",
        "email",
        "address",
        "network",
        "post",
        "replacement",
        "said",
        "stance",
        "detail",
    ]
)


# What a "not stated" reply says the material does not give, by the kind asked for.
NOT_STATED = {
    "date": "that date",
    "time": "the time of day",
    "year": "the year",
    "duration": "how long",
    "figure": "that figure",
    "count": "that number",
    "price": "the price",
    "initials": "what those initials stand for",
    "outcome": "anything on the count or its result",
    "year-named": "anything about that year",
    "current": "the current number",
    "exact": "the exact figure",
    "name": "that name",
    "cause": "what it was about",
    "happened": "how that turned out",
    "phone": "a phone number",
    "said": "what they said",
    "stance": "where they stand on that",
    "email": "that email address",
    "address": "a postal address",
    "network": "anything about that site",
    "post": "their job",
    "replacement": "anything about replacements",
    "detail": "which one it was",
    "earlier": "anything about an earlier election",
    "": "that",
}


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    answered: bool
    text: str
    source_id: str | None = None
    source_title: str | None = None
    kind: str = "none"
    confidence: float = 0.0
    # On a "not stated" reply: the passage that says the nearest thing to what was asked.
    related: dict[str, str] | None = None

    @property
    def source(self) -> dict[str, str] | None:
        if self.source_id is None or self.source_title is None:
            return None
        return {"id": self.source_id, "title": self.source_title}

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.text,
            "source": self.source,
            "related": self.related,
        }


@dataclass(frozen=True, slots=True)
class LearnedAnswer:
    """An FAQ entry an organiser added from chat with /answer."""

    id: int
    question: str
    answer: str
