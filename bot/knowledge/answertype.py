"""Whether a passage answers what a question asks for, apart from whether it is on topic.

A question asking when, what year, how many, how much, how long, how old, who, or which
paper or union needs a sentence that holds a thing of that kind: a date, a year, a
figure, a duration, a name. `asked_type` reads the kind from the question's words;
`holds` says whether a sentence has one. A sentence that holds a figure only as a pledge
or a target ("at least 50%") does not answer a question about how things are now.
"""

from __future__ import annotations

import re

from bot.text import words

MONTHS = sorted(
    words(
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    )
)
DAYS = sorted(words("monday tuesday wednesday thursday friday saturday sunday"))
NUMBER_WORDS = sorted(
    words(
        "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
        "forty fifty sixty hundred thousand million half quarter third dozen"
    )
)
UNITS_OF_TIME = r"(?:year|yr|month|week|day|hour|decade|minute)s?"

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_FIGURE = re.compile(r"\d|\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:"
    + "|".join(MONTHS + DAYS)
    + r")\b|\b\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)\b"
    r"|\bnoon\b|\bmidday\b|\bmidnight\b|\bat (?:the age of )?\d{1,2}\b|\bfirst day\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"(?:\d+|\b(?:" + "|".join(NUMBER_WORDS) + r"))\s+(?:more\s+)?" + UNITS_OF_TIME + r"\b"
    r"|\bsince\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+|\b[A-Z]{2,}\b")
_DAY_OF_MONTH = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + "|".join(MONTHS) + r")\b", re.IGNORECASE
)
_TARGET = re.compile(
    r"\b(?:at least|target|guarantee\w*|aim\w*|will|would|should|wants?|threshold|needs?)\b",
    re.IGNORECASE,
)

_ASKS = (
    # (kind, pattern over the question, lower-cased, apostrophes dropped)
    ("year", re.compile(r"\b(?:what|which|wat|wot)\s+(?:year|yr)s?\b|\bwhat year\b")),
    ("duration", re.compile(r"\bhow long\b|\bhow many (?:years|yrs|months|weeks|days)\b")),
    ("figure", re.compile(r"\bhow old\b|\bwhat age\b")),
    (
        "figure",
        re.compile(
            r"\bhow (?:many|much|big)\b|\bwhat (?:percentage|percent|proportion|share|number|"
            r"figure|rate|amount)\b|\bwhats the (?:turnout|figure|number|rate|percentage)\b"
            r"|\bwhat (?:was|is) the turnout\b|\bhourly rate\b|\bper hour\b"
        ),
    ),
    (
        "date",
        re.compile(
            r"^(?:so |and |but |ok |okay )?(?:when|wen|whens)\b|\bwhat (?:date|day|time)\b"
            r"|\bwhich (?:date|day)\b|\bby when\b|\bwhen (?:is|was|will|did|does|do|are)\b"
        ),
    ),
    (
        "name",
        re.compile(
            r"\bwho (?:is|was|were|are|did|wrote|interviewed|took|runs|ran|else|published|"
            r"conducted|chairs|leads|led|stood|stands)\b|\bwhos\b|\bwhat(?:s| is| was) (?:his|"
            r"the) name\b|\bwhich (?:paper|newspaper|union|city|town|book|court|party|"
            r"company|firm|minister)\b|\bwhat (?:paper|newspaper|union|city|town|book)\b"
        ),
    ),
)
CURRENT = re.compile(
    r"\b(?:now|currently|current|at the moment|today|these days|right now|so far|at present)\b"
)
_SQUASH = str.maketrans({"’": "", "'": "", "‘": ""})


def asked_type(question: str) -> str | None:
    """The kind of thing a question asks for, or None when it asks for no particular kind."""
    said = " ".join(re.findall(r"[a-z0-9%£]+", question.lower().translate(_SQUASH)))
    for kind, pattern in _ASKS:
        if pattern.search(said):
            return kind
    return None


def asks_about_now(question: str) -> bool:
    return bool(CURRENT.search(question.lower()))


def holds(kind: str, sentence: str, question: str = "", now: bool = False) -> bool:
    """Whether `sentence` holds a thing of `kind` (that the question does not already say)."""
    if kind == "year":
        return bool(_YEAR.search(sentence))
    if kind == "date":
        return bool(_DATE.search(sentence))
    if kind == "duration":
        return bool(_DURATION.search(sentence))
    if kind == "figure":
        # A year or a day of the month is not a count, an amount or a share.
        counted = _DAY_OF_MONTH.sub(" ", _YEAR.sub(" ", sentence))
        if not _FIGURE.search(counted):
            return False
        return not (now and _TARGET.search(sentence))
    if kind == "name":
        asked = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
        return any(m.group().lower() not in asked for m in _NAME.finditer(sentence))
    return True


def sentences(text: str) -> list[str]:
    """A passage's sentences (a line of its own counts as one)."""
    parts = re.split(r"(?<=[.!?;])\s+(?=[A-Z0-9\"'(])|\n+", text.strip())
    return [p.strip() for p in parts if p.strip()]
