"""What the answer engine chose for a question, and the answer's text made from it: the
passage's best line (or the line holding the asked fact) first, then its next lines while
there is room, then the headline of a passage close behind."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from bot.knowledge.answertype import sentences
from bot.knowledge.replies import MAX_ANSWER
from bot.knowledge.units import Unit, fit
from bot.text import shorten

THIRD_LINE_ROOM = 450  # characters: a third line follows only while the answer is shorter
FRAME_ROOM = 80  # characters: how far into a line a frame shared with the first may run
REPEATED = 0.2  # a sentence with no more than this share of words new to the answer repeats it


@dataclass(frozen=True, slots=True)
class Choice:
    unit: Unit | None  # None: decline (or the timetable, below)
    probability: float
    second: Unit | None = None  # the next closest line of the same section, if any
    also: Unit | None = None  # the headline of a class close behind
    timetable: bool = False  # the timetable as a whole ("which dates matter?")
    # The material is on the topic but does not give what is asked (a figure, a date, a
    # name): `unit` is then the nearest thing it says, and `lead` its nearest sentence.
    not_stated: str | None = None
    lead: str | None = None  # the sentence that holds the asked fact, to lead the answer
    # `second` holds words of the question an overview (`unit`) does not: when both do
    # not fit, it leads.
    second_leads: bool = False
    third: Unit | None = None  # the line after `second`, when there is room for it


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _news(text: str, extra: str) -> str:
    """`extra` without what `text` already says: the frame it shares with the start of
    `text` ("Background from a 2015 interview, not a manifesto pledge: "), said once is
    enough, and any sentence whose words `text` nearly all holds (an item's overview and
    its own line can open alike)."""
    cut = extra.find(": ", 0, FRAME_ROOM)
    if cut >= 0 and text.startswith(extra[: cut + 2]):
        extra = extra[cut + 2 :]
        extra = extra[:1].upper() + extra[1:]
    said = _words(text)
    kept = [
        line for line in sentences(extra) if len(_words(line) - said) > REPEATED * len(_words(line))
    ]
    return " ".join(kept)


def compose(choice: Choice, unit: Unit, now: datetime, see_also: str) -> str:
    """The answer's text from `unit` (the choice's, known to be set), as it reads at
    `now`; `see_also` is the pack's wording for naming the passage close behind."""
    text = unit.text_at(now)
    if choice.lead is not None and choice.lead in text:
        rest = " ".join(line for line in sentences(text) if line != choice.lead)
        text = shorten(f"{choice.lead} {rest}".strip(), MAX_ANSWER)
    second = choice.second if choice.second and choice.second.known_at(now) else None
    if second is not None and second.text_at(now) not in text:
        extra = _news(text, second.text_at(now))
        if extra and len(text) + len(extra) < MAX_ANSWER:
            text = f"{text} {extra}"
        elif extra and choice.second_leads:
            text = fit([extra, *sentences(text)])
    third = choice.third if choice.third and choice.third.known_at(now) else None
    if third is not None and third.text_at(now) not in text:
        extra = _news(text, third.text_at(now))
        if extra and len(text) + len(extra) < THIRD_LINE_ROOM:
            text = f"{text} {extra}"
    if choice.also is not None and choice.also.source_id != unit.source_id:
        line = see_also.format(title=choice.also.source_title.rstrip("."))
        line = line.replace("?.", "?")
        text = f"{shorten(text, MAX_ANSWER - len(line) - 1)}\n{line}"
    return text
