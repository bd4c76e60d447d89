"""The answer engine: short, cited answers from the campaign pack, or an honest "I don't know".

The pack is cut into answerable units (a manifesto section's overview, each pledge, each
fact about the candidate's record, each FAQ entry, each step, each background item).
A question is read (`language.Language`), checked against the timetable first, then
scored against every unit with IDF-weighted stem matches. The engine answers only when
the best unit covers most of what the question is about; a question whose topic words
the campaign material never uses is declined rather than guessed at.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.campaign import Campaign
from bot.knowledge.language import Language, Reading
from bot.knowledge.timetable import answer_date
from bot.text import shorten, words

MAX_ANSWER = 600
MIN_COVERAGE = 0.65
MIN_SCORE = 1.2

SMALL_TALK = words(
    """
    hi hello hey hiya thanks thank cheers ta morning afternoon evening
    """
)


@dataclass(frozen=True, slots=True)
class Answer:
    question: str
    answered: bool
    text: str
    source_id: str | None = None
    source_title: str | None = None
    kind: str = "none"
    confidence: float = 0.0

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
        }


@dataclass(frozen=True, slots=True)
class LearnedAnswer:
    """An FAQ entry an organiser added from chat with /answer."""

    id: int
    question: str
    answer: str


@dataclass(slots=True)
class Unit:
    key: str
    kind: str
    source_id: str
    source_title: str
    text: str
    section: str | None = None
    terms: dict[str, float] = field(default_factory=dict)

    def add(self, language: Language, text: str, weight: float) -> None:
        for term in language.index_terms(text):
            if weight > self.terms.get(term, 0.0):
                self.terms[term] = weight


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _join_clauses(items: Sequence[str]) -> str:
    cleaned = [_lower_first(i.rstrip(".")) for i in items]
    if len(cleaned) == 1:
        return cleaned[0]
    return "; ".join(cleaned[:-1]) + "; and " + cleaned[-1]


class AnswerEngine:
    """Answers questions from one campaign pack (plus answers organisers add)."""

    def __init__(self, campaign: Campaign, learned: Iterable[LearnedAnswer] = ()):
        self.campaign = campaign
        self._learned = list(learned)
        self._build()

    # --- index -------------------------------------------------------------------------

    def _all_text(self) -> str:
        c = self.campaign
        parts: list[str] = [
            c.candidate.summary,
            c.info.rules.ballot,
            *c.info.rules.valid_nomination,
        ]
        for s in c.sections:
            parts += [s.title, s.summary, *s.pledges, *s.record, *s.facts, " ".join(s.keywords)]
        for e in c.faq:
            parts += [e.question, *e.alternates, c.fill(e.answer), " ".join(e.keywords)]
        parts += [c.fill(c.steps.intro), *(f"{s.title} {c.fill(s.text)}" for s in c.steps.steps)]
        if c.background:
            for b in c.background.items:
                parts += [b.title, b.text, " ".join(b.keywords)]
        parts += [e.label for e in c.info.timetable.values()]
        return "\n".join(parts)

    def _build(self) -> None:
        c = self.campaign
        names = [c.candidate.name, c.candidate.short_name, *c.candidate.aliases]
        neutral = [f"{b.name} {b.group} {b.region} {b.code}" for b in c.branches]
        vocabulary = [self._all_text(), *(f"{e.question} {e.answer}" for e in self._learned)]
        self.language = lang = Language(c.info.abbreviations, names, vocabulary, neutral)
        short = c.candidate.short_name
        units: list[Unit] = []
        for s in c.sections:
            title = f"Manifesto: {s.title}"
            overview = Unit(f"{s.id}", "overview", s.id, title, "", s.id)
            overview.add(lang, s.title, 2.0)
            overview.add(lang, " ".join(s.keywords), 2.0)
            overview.add(lang, s.summary, 1.0)
            overview.add(lang, " ".join(s.pledges), 0.6)
            overview.text = _overview(short, s.summary.strip(), s.pledges)
            units.append(overview)
            for i, pledge in enumerate(s.pledges):
                unit = Unit(
                    f"{s.id}#pledge-{i}",
                    "pledge",
                    s.id,
                    title,
                    f"{short} will {_lower_first(pledge)}",
                    s.id,
                )
                unit.add(lang, pledge, 1.5)
                unit.add(lang, f"{s.title} {' '.join(s.keywords)}", 0.7)
                units.append(unit)
            for kind, lines in (("record", s.record), ("fact", s.facts)):
                for i, line in enumerate(lines):
                    unit = Unit(f"{s.id}#{kind}-{i}", kind, s.id, title, line, s.id)
                    unit.add(lang, line, 1.5)
                    unit.add(lang, f"{s.title} {' '.join(s.keywords)}", 0.7)
                    units.append(unit)
        for e in c.faq:
            unit = Unit(f"faq:{e.id}", "faq", f"faq-{e.id}", f"FAQ: {e.question}", c.fill(e.answer))
            unit.add(lang, " ".join([e.question, *e.alternates]), 2.0)
            unit.add(lang, " ".join(e.keywords), 1.8)
            unit.add(lang, unit.text, 0.8)
            units.append(unit)
        for learned in self._learned:
            unit = Unit(
                f"learned:{learned.id}",
                "learned",
                f"faq-q{learned.id}",
                f"FAQ: {learned.question}",
                learned.answer,
            )
            unit.add(lang, learned.question, 2.0)
            unit.add(lang, learned.answer, 0.8)
            units.append(unit)
        steps = c.steps.steps
        overview = Unit("steps", "steps", "what-you-can-do", "What you can do", "")
        overview.add(lang, "help campaign support nominate branch what can do get involved", 1.6)
        for step in steps:
            overview.add(lang, f"{step.title} {c.fill(step.text)}", 0.7)
        overview.text = _fit(
            [c.fill(c.steps.intro), *(f"{n}. {s.title}." for n, s in enumerate(steps, 1))]
        )
        units.append(overview)
        for step in steps:
            unit = Unit(
                f"step:{step.id}", "step", "what-you-can-do", "What you can do", c.fill(step.text)
            )
            unit.add(lang, step.title, 2.0)
            unit.add(lang, unit.text, 1.0)
            units.append(unit)
        if c.background:
            bg = c.background
            for item in bg.items:
                text = f"Background from a {bg.date} interview, not a manifesto pledge: {item.text}"
                unit = Unit(
                    f"bg:{item.id}",
                    "background",
                    item.id,
                    f"Background: {item.title} ({bg.source}, {bg.date})",
                    _fit([text]),
                )
                unit.add(lang, item.title, 1.6)
                unit.add(lang, " ".join(item.keywords), 1.6)
                unit.add(lang, item.text, 1.0)
                units.append(unit)
        self.units = units
        self._index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, unit in enumerate(units):
            for term, weight in unit.terms.items():
                self._index[term].append((number, weight))
        total = len(units)
        self._idf = {
            term: math.log(1 + total / len(postings)) for term, postings in self._index.items()
        }
        self._max_idf = math.log(1 + total)

    def learn(self, learned: LearnedAnswer) -> None:
        """Add an organiser's answer; it is used from the next question on."""
        self._learned.append(learned)
        self._build()

    # --- answering ---------------------------------------------------------------------

    def normalise(self, question: str) -> str:
        """A key under which differently typed versions of one question meet."""
        words = self.language.read(question).words
        return " ".join(words)[:500] or question.strip().casefold()[:500]

    def answer(self, question: str, now: datetime) -> Answer:
        reading = self.language.read(question)
        dated = answer_date(reading, self.campaign, now)
        if dated is not None:
            return Answer(
                question,
                True,
                dated.text,
                f"timetable.{dated.event}",
                f"Election timetable: {dated.title}",
                "timetable",
                1.0,
            )
        if not reading.stems and not reading.unknown:
            return self._without_topic(question, reading)
        best, coverage, score = self._best(reading)
        if best is None or coverage < MIN_COVERAGE or score < MIN_SCORE:
            return self.decline(question, coverage)
        return Answer(
            question,
            True,
            best.text[:MAX_ANSWER],
            best.source_id,
            best.source_title,
            best.kind,
            round(coverage, 3),
        )

    def decline(self, question: str, confidence: float = 0.0) -> Answer:
        return Answer(
            question,
            False,
            "I don't know: the campaign material doesn't cover that. "
            "I've passed your question to the organisers, who will follow up.",
            kind="none",
            confidence=round(confidence, 3),
        )

    def _without_topic(self, question: str, reading: Reading) -> Answer:
        if reading.mentions_candidate:
            c = self.campaign
            return Answer(
                question,
                True,
                _fit([c.candidate.summary]),
                "candidate",
                f"About {c.candidate.name}",
                "candidate",
                1.0,
            )
        if set(reading.words) & SMALL_TALK:
            return Answer(
                question,
                False,
                "Hello! Ask me about the manifesto, the election dates or how to get your "
                "branch to nominate. Type /help for commands.",
                kind="smalltalk",
            )
        return self.decline(question)

    def _best(self, reading: Reading) -> tuple[Unit | None, float, float]:
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, float] = defaultdict(float)
        wanted = 0.0
        for stem in reading.stems:
            idf = self._idf.get(stem, self._max_idf)
            wanted += idf
            for number, weight in self._index.get(stem, ()):
                scores[number] += idf * weight
                matched[number] += idf
        wanted += self._max_idf * len(reading.unknown)
        if not scores or wanted == 0:
            return None, 0.0, 0.0
        record_words = {"done", "achieved", "achievements", "record", "won", "delivered"}
        wants_record = bool(set(reading.words) & record_words)
        best_number = max(
            scores,
            key=lambda n: (
                scores[n] * (1.15 if wants_record and self.units[n].kind == "record" else 1.0),
                -n,
            ),
        )
        return self.units[best_number], matched[best_number] / wanted, scores[best_number]


def _overview(short: str, summary: str, pledges: Sequence[str]) -> str:
    """The section's summary and as many of its pledges as fit."""
    for count in range(len(pledges), 0, -1):
        text = f"{summary} {short} will {_join_clauses(pledges[:count])}."
        if len(text) <= MAX_ANSWER:
            return text
    return _fit([summary])


def _fit(parts: Sequence[str], limit: int = MAX_ANSWER) -> str:
    """Join sentences, stopping before the limit; shorten the first if it alone is too long."""
    out = ""
    for part in parts:
        candidate = f"{out} {part}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    return out or shorten(parts[0], limit)
