"""The answerable units of a campaign pack, and the reading of questions built from it.

The pack is cut into answerable units: a manifesto section's overview, each pledge, each
fact and line of the candidate's record, each FAQ entry, each step, each interview item,
and each answer organisers added. Units are grouped by where they come from; a unit's
`source_id` is the class the learned ranker chooses. Each unit carries weighted index
terms for the lexical ranker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from bot.campaign.pack import Campaign
from bot.knowledge.language import Language, Reading
from bot.knowledge.replies import MAX_ANSWER
from bot.knowledge.timetable import timetable_words
from bot.text import shorten

QUESTION_WEIGHT = 1.4  # how a section is asked about: a hint, weaker than its own words
STEP_CUES = frozenset({"how-to", "mine"})
COUNTING = frozenset({"how-many"})


@dataclass(slots=True)
class Unit:
    key: str
    kind: str
    source_id: str
    source_title: str
    text: str
    group: str
    terms: dict[str, float] = field(default_factory=dict)
    own: set[str] = field(default_factory=set)  # terms from the unit's own words
    cues: frozenset[str] = frozenset()
    # The kinds of question asked about the candidate this unit answers ("why Mark?").
    candidate_cues: frozenset[str] = frozenset()
    # Whether it answers a question with no topic about the asker ("what should I do?").
    bare_cues: frozenset[str] = frozenset()
    # Words with no topic its questions about the candidate use ("Mark's priorities").
    candidate_asks: frozenset[str] = frozenset()
    about_candidate: bool = False  # an FAQ about the man himself ("Who is Mark?")
    # Its questions' topics, and whether they are asked about the candidate.
    asked: set[tuple[frozenset[frozenset[str]], bool]] = field(default_factory=set)
    # A fact made public on a day (a result): not stated before `published`, when
    # `pending` is said instead; `revisions` replace the text from their own moments.
    published: datetime | None = None
    pending: str = ""
    revisions: tuple[tuple[datetime, str], ...] = ()

    def known_at(self, now: datetime) -> bool:
        """Whether what this unit says had been made public by `now`."""
        return self.published is None or now >= self.published

    def text_at(self, now: datetime) -> str:
        """What this unit says at `now`: its latest published version, or, before the
        first, that it is not known yet."""
        if not self.known_at(now):
            return self.pending
        text = self.text
        for moment, revised in self.revisions:
            if now >= moment:
                text = revised
        return text

    def add(self, language: Language, text: str, weight: float, own: bool = True) -> None:
        for term in language.index_terms(text):
            if weight > self.terms.get(term, 0.0):
                self.terms[term] = weight
            if own:
                self.own.add(term)

    def asked_as(self, language: Language, *questions: str) -> None:
        """Record how this unit is asked for ("how many ...?", "why ...?")."""
        for number, question in enumerate(questions):
            reading = language.read(question, find_actions=False)
            self.cues |= reading.cues
            if reading.concepts:
                self.asked.add((topics(reading), reading.mentions_candidate))
            if reading.mentions_candidate:
                self.candidate_cues |= reading.cues
                self.candidate_asks |= topicless(language, reading)
                if number == 0 and not reading.concepts:
                    self.about_candidate = True
            elif not reading.concepts:
                self.bare_cues |= reading.cues & {"mine"}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _join_clauses(items: Sequence[str]) -> str:
    cleaned = [_lower_first(i.rstrip(".")) for i in items]
    if len(cleaned) == 1:
        return cleaned[0]
    return "; ".join(cleaned[:-1]) + "; and " + cleaned[-1]


def topics(reading: Reading) -> frozenset[frozenset[str]]:
    """What a question is about, however it is worded: the stems of each concept."""
    return frozenset(
        frozenset(stem for choice in concept for stem in choice) for concept in reading.concepts
    )


def topicless(language: Language, reading: Reading) -> frozenset[str]:
    """Stems of the words naming no topic that say what is asked ("priorities", "view")."""
    return frozenset(language.stem(w) for w in reading.words if w in language.asking_nouns)


def all_text(campaign: Campaign) -> str:
    """Everything the bot can answer from, for the vocabulary typos are corrected towards."""
    c = campaign
    parts: list[str] = [
        c.candidate.summary,
        c.info.rules.ballot,
        *c.info.rules.valid_nomination,
        *c.steps.questions,
        " ".join(c.steps.keywords),
    ]
    for s in c.sections:
        parts += [s.title, s.summary, *s.pledges, *s.record, *s.facts, *s.questions]
        parts.append(" ".join(s.keywords))
    for e in c.faq:
        parts += [e.question, *e.alternates, c.fill(e.answer), " ".join(e.keywords)]
        parts += [c.fill(r.answer) for r in e.later]
    parts += [c.fill(c.steps.intro), *(f"{s.title} {c.fill(s.text)}" for s in c.steps.steps)]
    if c.background:
        for b in c.background.items:
            parts += [b.title, b.text, " ".join(b.keywords), *b.claims]
    parts += [e.label for e in c.info.timetable.values()]
    return "\n".join(parts)


def build_language(
    campaign: Campaign, learned: Iterable[Any] = (), lexicon: bool = True
) -> Language:
    """How questions are read: the pack's short forms, names, synonyms and vocabulary."""
    c = campaign
    names = [c.candidate.name, c.candidate.short_name, *c.candidate.aliases]
    neutral = [f"{b.name} {b.group} {b.region} {b.code}" for b in c.branches]
    vocabulary = [
        all_text(c),
        *(f"{e.question} {e.answer}" for e in learned),
        " ".join(timetable_words(c)),
    ]
    return Language(
        c.info.abbreviations,
        names,
        vocabulary,
        neutral,
        post=c.candidate.post,
        common=c.info.common_words,
        synonyms=c.info.synonyms,
        correctable=c.language.word_lists.get("correctable", ()),
        asking_nouns=c.language.word_lists.get("asking_nouns", ()),
        lexicon=lexicon,
    )


def build_units(campaign: Campaign, learned: Iterable[Any], lang: Language) -> list[Unit]:
    """The pack's units, indexed with `lang` for the lexical ranker."""
    c = campaign
    learned_list = list(learned)
    background = c.language.sentences.get("background", "{text}")
    short = c.candidate.short_name
    units: list[Unit] = []

    def unit(key: str, kind: str, source: str, title: str, text: str, group: str) -> Unit:
        made = Unit(key, kind, source, title, text, group)
        units.append(made)
        return made

    for s in c.sections:
        title = f"Manifesto: {s.title}"
        theme = f"{s.title} {' '.join(s.keywords)}"
        overview = unit(s.id, "overview", s.id, title, "", s.id)
        overview.text = _overview(short, s.summary.strip(), s.pledges)
        overview.add(lang, s.title, 1.5)
        overview.add(lang, " ".join(s.questions), QUESTION_WEIGHT, own=False)
        overview.asked_as(lang, s.title, *s.questions)
        overview.add(lang, " ".join(s.keywords), 1.2)
        overview.add(lang, s.summary, 1.0)
        overview.add(lang, " ".join(s.pledges), 0.6, own=False)
        for i, pledge in enumerate(s.pledges):
            made = unit(
                f"{s.id}#pledge-{i}",
                "pledge",
                s.id,
                title,
                f"{short} will {_lower_first(pledge)}",
                s.id,
            )
            made.add(lang, pledge, 1.5)
            made.add(lang, theme, 0.7, own=False)
        for kind, lines in (("record", s.record), ("fact", s.facts)):
            for i, line in enumerate(lines):
                made = unit(f"{s.id}#{kind}-{i}", kind, s.id, title, line, s.id)
                made.add(lang, line, 1.5)
                made.add(lang, theme, 0.7, own=False)
                if kind == "fact" and any(ch.isdigit() for ch in line):
                    made.cues = COUNTING  # a figure answers "how many ...?"
    for e in c.faq:
        made = unit(
            f"faq:{e.id}",
            "faq",
            f"faq-{e.id}",
            f"FAQ: {e.question}" + (f" ({e.source})" if e.source else ""),
            c.fill(e.answer),
            f"faq:{e.id}",
        )
        made.add(lang, " ".join([e.question, *e.alternates]), 2.0)
        made.add(lang, " ".join(e.keywords), 1.8)
        made.add(lang, made.text, 1.0)
        if e.published is not None:
            made.published = local_moment(c, e.published)
            made.pending = c.fill(e.pending)
        made.revisions = tuple((local_moment(c, r.published), c.fill(r.answer)) for r in e.later)
        for _, revised in made.revisions:
            made.add(lang, revised, 1.0)
        made.asked_as(lang, e.question, *e.alternates)
    for added in learned_list:
        made = unit(
            f"added:{added.id}",
            "added",
            f"faq-q{added.id}",
            f"FAQ: {added.question}",
            added.answer,
            f"added:{added.id}",
        )
        made.add(lang, added.question, 2.0)
        made.add(lang, added.answer, 1.0)
        made.asked_as(lang, added.question)
    steps = c.steps.steps
    overview = unit("steps", "steps", "what-you-can-do", "What you can do", "", "steps")
    overview.text = fit(
        [c.fill(c.steps.intro), *(f"{n}. {s.title}." for n, s in enumerate(steps, 1))]
    )
    overview.add(lang, " ".join(c.steps.questions), 2.0)
    overview.add(lang, " ".join(c.steps.keywords), 1.8)
    overview.asked_as(lang, *c.steps.questions)
    for step in steps:
        overview.add(lang, f"{step.title} {c.fill(step.text)}", 0.7, own=False)
    for step in steps:
        made = unit(
            f"step:{step.id}",
            "step",
            "what-you-can-do",
            "What you can do",
            c.fill(step.text),
            "steps",
        )
        made.cues = STEP_CUES  # each step answers "how do I ...?", "what should I ...?"
        made.add(lang, step.title, 2.0)
        made.add(lang, made.text, 1.0)
    if c.background:
        bg = c.background
        for item in bg.items:
            text = background.format(date=bg.date, text=item.text)
            made = unit(
                f"bg:{item.id}",
                "background",
                item.id,
                f"Background: {item.title} ({bg.source}, {bg.date})",
                fit([text]),
                f"bg:{item.id}",
            )
            made.add(lang, item.title, 1.6)
            made.add(lang, " ".join(item.keywords), 1.6)
            made.add(lang, item.text, 1.0)
            for i, claim in enumerate(item.claims):
                said = unit(
                    f"bg:{item.id}#claim-{i}",
                    "background",
                    item.id,
                    made.source_title,
                    fit([background.format(date=bg.date, text=claim)]),
                    f"bg:{item.id}",
                )
                said.add(lang, claim, 1.5)
                said.add(lang, f"{item.title} {' '.join(item.keywords)}", 0.7, own=False)
    return units


def local_moment(campaign: Campaign, at: datetime | date) -> datetime:
    """A pack date or time as a moment in the campaign's timezone."""
    moment = at if isinstance(at, datetime) else datetime.combine(at, time(0, 0))
    zone = campaign.zone
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment.astimezone(zone)


def _overview(short: str, summary: str, pledges: Sequence[str]) -> str:
    """The section's summary and as many of its pledges as fit."""
    for count in range(len(pledges), 0, -1):
        text = f"{summary} {short} will {_join_clauses(pledges[:count])}."
        if len(text) <= MAX_ANSWER:
            return text
    return fit([summary])


def fit(parts: Sequence[str], limit: int = MAX_ANSWER) -> str:
    """Join sentences, stopping before the limit; shorten the first if it alone is too long."""
    out = ""
    for part in parts:
        candidate = f"{out} {part}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    return out or shorten(parts[0], limit)
