"""The answer engine: short, cited answers from the campaign pack, or an honest "I don't know".

The pack is cut into answerable units (a manifesto section's overview, each pledge, each
fact and line of the candidate's record, each FAQ entry, each step, each background
item), grouped by where they come from. A question is read (`language.Language`); a
question about dates is answered from the timetable; a question asking for someone's
personal details is declined. Otherwise every unit is scored with IDF-weighted stem
matches, and within each group the best unit is joined by a second one that covers
what the first misses. The engine answers only when a group covers most of what the
question is about; a question whose topic words the campaign material never uses is
declined rather than guessed at.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.campaign import Campaign
from bot.knowledge.language import Language, Reading, word_class
from bot.knowledge.timetable import TIMETABLE_WORDS, answer_date
from bot.text import shorten, words

MAX_ANSWER = 600
MIN_COVERAGE = 0.65
MIN_SCORE = 1.2
CUE_BONUS = 1.0
# What the candidate says, has done or will do: not the answer to "what should I do?".
CANDIDATE_KINDS = frozenset({"overview", "pledge", "record", "fact", "background"})
OWN_PART_FACTOR = 0.7
STEP_CUES = frozenset({"how-to", "mine"})
COUNTING = frozenset({"how-many"})
DEFINING = frozenset({"define"})  # the cues of a passage that only says what a term means
DEFINITION_FACTOR = 0.7
CANDIDATE_CUE_BONUS = 3.0  # "why ... Mark?" asked of a section asked "why ... Mark?"
MAX_UNKNOWN = 1  # topic words the material never uses that a question may still have
DISTINCTIVE = 3.0  # the IDF of a word found in about six passages or fewer
MIN_KNOWN = 2  # known topic words needed beside an unknown one
HEAD_IDF = 2.0  # a word this common in the material ("campaigns") is no question's head
QUESTION_WEIGHT = 1.4  # how a section is asked about: a hint, weaker than its own words
HINTS_ONLY = 0.7  # a passage none of whose own words the question uses
MINOR_WEIGHT = 0.3  # a campaign commonplace ("members"), per unit of passage weight
SAME_QUESTION_BONUS = 2.0  # a question with the same topics as one a passage is asked as
ACTION_WEIGHT = 0.5  # a concept said as a verb, against one the question names

# Details about a person that the campaign material never holds and the bot never gives.
PERSONAL = words(
    """
    address phone mobile wife husband partner children kids age old birthday religion live
    lives favourite favorite married personal home hometown born
    """
)
# Money asked about the candidate himself ("how much is Mark paid?"), not about members
# ("will Mark get us more money?").
MONEY = words("money salary paid earn earns earning earnings income")
MEMBERS = words("us we our members staff workers everyone")
OTHER_PEOPLE = words(
    """
    volunteer volunteers volunteered volunteering supporter supporters support supports
    supported supporting sign signs signed signing voted join joined joining backed backing
    backs helping helped
    """
)
NEARBY = words("my our branch colleague colleagues office team list names workplace")
ASKING_WHO = words("who which list names everyone everybody many")
SAID = words("say said says saying")
RECORD_WORDS = words("done achieved achievements achievement record won wins delivered track")

# Words that ask for a view or a plan but name no topic: the candidate's sections are
# asked in these terms ("what are Mark's priorities?").
ASKING_NOUNS = words(
    """
    view views stance position positions policy policies plan plans opinion opinions
    priority priorities idea ideas approach agenda aim aims goal goals want wants
    """
)

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
            *c.steps.questions,
            " ".join(c.steps.keywords),
        ]
        for s in c.sections:
            parts += [s.title, s.summary, *s.pledges, *s.record, *s.facts, *s.questions]
            parts.append(" ".join(s.keywords))
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
        vocabulary = [
            self._all_text(),
            *(f"{e.question} {e.answer}" for e in self._learned),
            " ".join(TIMETABLE_WORDS),
        ]
        self.language = lang = Language(
            c.info.abbreviations,
            names,
            vocabulary,
            neutral,
            post=c.candidate.post,
            common=c.info.common_words,
            synonyms=c.info.synonyms,
        )
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
                f"FAQ: {e.question}",
                c.fill(e.answer),
                f"faq:{e.id}",
            )
            made.add(lang, " ".join([e.question, *e.alternates]), 2.0)
            made.add(lang, " ".join(e.keywords), 1.8)
            made.add(lang, made.text, 1.0)
            made.asked_as(lang, e.question, *e.alternates)
        for learned in self._learned:
            made = unit(
                f"learned:{learned.id}",
                "learned",
                f"faq-q{learned.id}",
                f"FAQ: {learned.question}",
                learned.answer,
                f"learned:{learned.id}",
            )
            made.add(lang, learned.question, 2.0)
            made.add(lang, learned.answer, 1.0)
            made.asked_as(lang, learned.question)
        steps = c.steps.steps
        overview = unit("steps", "steps", "what-you-can-do", "What you can do", "", "steps")
        overview.text = _fit(
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
                text = f"Background from a {bg.date} interview, not a manifesto pledge: {item.text}"
                made = unit(
                    f"bg:{item.id}",
                    "background",
                    item.id,
                    f"Background: {item.title} ({bg.source}, {bg.date})",
                    _fit([text]),
                    f"bg:{item.id}",
                )
                made.add(lang, item.title, 1.6)
                made.add(lang, " ".join(item.keywords), 1.6)
                made.add(lang, item.text, 1.0)
        self.units = units
        self._record_stems = {lang.stem(w) for w in RECORD_WORDS}
        # A group's title, once per group (a section's units all share it).
        titles = {made.group: made.source_title.partition(": ")[2] for made in units}
        self._titles = {group: set(lang.index_terms(title)) for group, title in titles.items()}
        self._index: dict[str, list[tuple[int, float, bool]]] = defaultdict(list)
        for number, made in enumerate(units):
            for term, weight in made.terms.items():
                self._index[term].append((number, weight, term in made.own))
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
        said = self.language.read(question).words
        return " ".join(said)[:500] or question.strip().casefold()[:500]

    def answer(self, question: str, now: datetime) -> Answer:
        reading = self.language.read(question)
        if _asks_for_personal_details(reading):
            return self.decline(question)
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
        if not reading.concepts and (not reading.unknown or _only_why_him(reading)):
            return self._without_topic(question, reading)
        found = self._best(reading)
        if found is None:
            return self.decline(question)
        first, second, coverage = found
        text = first.text
        if second is not None and second.text not in text:
            joined = f"{text} {second.text}"
            if len(joined) <= MAX_ANSWER:
                text = joined
        return Answer(
            question,
            True,
            text[:MAX_ANSWER],
            first.source_id,
            first.source_title,
            first.kind,
            round(coverage, 3),
        )

    def decline(self, question: str) -> Answer:
        return Answer(
            question,
            False,
            "I don't know: the campaign material doesn't cover that. "
            "I've passed your question to the organisers, who will follow up.",
        )

    def _without_topic(self, question: str, reading: Reading) -> Answer:
        if reading.modifiers:
            # "How tall is Mark?", "is he for assisted dying?": words the material never
            # uses, and nothing it does.
            return self.decline(question)
        # "Why re-elect Serwotka?", "what are Mark's priorities?", "what can I do?": the
        # one passage asked that way.
        if reading.mentions_candidate:
            asks = topicless(self.language, reading)
            cued = [
                u for u in self.units if u.candidate_cues & reading.cues or u.candidate_asks & asks
            ]
            if len(cued) > 1:
                # "What does Mark want?", "why should we re-elect him?": the passage asked
                # most nearly that way; between equals, the one the pack puts first (its
                # headline), if the question names what it asks for.
                fit = {
                    id(u): len(u.candidate_cues & reading.cues) + len(u.candidate_asks & asks)
                    for u in cued
                }
                best = max(fit.values())
                top = [u for u in cued if fit[id(u)] == best]
                cued = top[:1] if len(top) == 1 or asks else top
        else:
            cued = [u for u in self.units if u.bare_cues & reading.cues]
        if len(cued) == 1:
            return Answer(
                question,
                True,
                cued[0].text,
                cued[0].source_id,
                cued[0].source_title,
                cued[0].kind,
                1.0,
            )
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

    def explain(self, question: str) -> list[dict[str, Any]]:
        """How a question was read and which passages it matched best (for pack authors)."""
        reading = self.language.read(question)
        found = self._ranked(reading)
        return [
            {
                "words": list(reading.words),
                "concepts": [["+".join(choice) for choice in c] for c in reading.concepts],
                "unknown": list(reading.unknown),
                "cues": sorted(reading.cues),
            },
            *(
                {
                    "unit": first.key,
                    "second": second.key if second else None,
                    "score": round(score, 2),
                    "coverage": round(coverage, 2),
                    "accepted": ok,
                }
                for score, first, second, coverage, ok in found[:5]
            ),
        ]

    def _best(self, reading: Reading) -> tuple[Unit, Unit | None, float] | None:
        accepted = [row for row in self._ranked(reading) if row[4]]
        if not accepted:
            return None
        _, first, second, coverage, _ = accepted[0]
        return first, second, coverage

    def _ranked(self, reading: Reading) -> list[tuple[float, Unit, Unit | None, float, bool]]:
        """The best unit of the best group, a second unit of that group, and coverage.

        A unit covers a word when the word is in it or in the keywords of its section;
        it covers the word strongly when the word is in its own text. The second unit is
        the one of the same group that strongly covers most of what the first misses.
        """
        # One weight per concept: a short form and the words it stands for count once, and
        # a passage covers the part of the concept (by IDF) that it matches.
        idf = {
            number: max(self._idf.get(stem, self._max_idf) for choice in concept for stem in choice)
            for number, concept in enumerate(reading.concepts)
        }
        wanted = sum(idf.values())
        if wanted == 0 or len(reading.unknown) > MAX_UNKNOWN:
            return []
        # Coverage weighs what a question names above what it says is done to it.
        # A rare verb ("how will the vote be held?") weighs no more than what it is done to.
        things = [w for c, w in idf.items() if c not in reading.actions]
        cap = sum(things) / len(things) if things else math.inf
        named_weight = {
            c: ACTION_WEIGHT * min(w, cap) if c in reading.actions else w for c, w in idf.items()
        }
        said = set(reading.words)
        wants_record = bool(said & RECORD_WORDS)
        if wants_record:
            # "Mark's record on equality": "record" asks for his record, which the kind of
            # passage answers; it is no topic beside one.
            record = {
                c
                for c, concept in enumerate(reading.concepts)
                if all(stem in self._record_stems for choice in concept for stem in choice)
            }
            if record and len(record) < len(idf):
                for c in record:
                    named_weight[c] = 0.0
        scores: dict[int, float] = defaultdict(float)
        share: dict[int, dict[int, float]] = defaultdict(dict)
        strong: dict[int, set[int]] = defaultdict(set)
        for concept_number, concept in enumerate(reading.concepts):
            best_score: dict[int, float] = {}
            best_part: dict[int, float] = {}
            best_own: dict[int, float] = {}
            for choice in concept:
                stem_idf = {stem: self._idf.get(stem, self._max_idf) for stem in choice}
                mass = sum(stem_idf.values())
                score_part: dict[int, float] = defaultdict(float)
                matched: dict[int, float] = defaultdict(float)
                own_part: dict[int, float] = defaultdict(float)
                for stem in choice:
                    for number, weight, own in self._index.get(stem, ()):
                        score_part[number] += weight * stem_idf[stem] / mass
                        matched[number] += stem_idf[stem] / mass
                        if own:
                            own_part[number] += stem_idf[stem] / mass
                for number, part in matched.items():
                    best_score[number] = max(best_score.get(number, 0.0), score_part[number])
                    best_part[number] = max(best_part.get(number, 0.0), part)
                    best_own[number] = max(best_own.get(number, 0.0), own_part[number])
            for number, part in best_part.items():
                scores[number] += idf[concept_number] * best_score[number]
                share[number][concept_number] = part
                if best_own[number] >= 0.5:
                    strong[number].add(concept_number)
        # "Civil servants": a commonplace helps choose between passages on the topic, but
        # never makes one answer.
        minor: dict[int, float] = defaultdict(float)
        for stem in reading.minor:
            for number, weight, _ in self._index.get(stem, ()):
                if number in scores:
                    minor[number] += MINOR_WEIGHT * weight
        covers = {
            number: {c for c, part in parts.items() if part >= 0.5}
            for number, parts in share.items()
        }
        # The one group asked a question with these topics, if only one is.
        asked = (topics(reading), reading.mentions_candidate)
        same = {self.units[n].group for n in scores if asked in self.units[n].asked}
        # "What did Mark say about ...?": what he has said, as an interview reports it.
        reported = reading.mentions_candidate and bool(said & SAID)
        by_group: dict[str, list[int]] = defaultdict(list)
        for number in scores:
            unit = self.units[number]
            if wants_record and unit.kind == "record":
                scores[number] *= 1.5
            if strong[number] == set(idf):
                scores[number] *= 1.25  # one passage answers the whole question
            elif not strong[number] and not unit.cues & reading.cues:
                scores[number] *= HINTS_ONLY  # matched only by how it is asked about
            if unit.kind == "background" and not reported:
                scores[number] *= 0.85  # the manifesto speaks first; interviews second
            if unit.cues == DEFINING and "define" not in reading.cues and len(idf) >= 2:
                scores[number] *= DEFINITION_FACTOR  # "what is the BEC?" for "can the BEC ...?"
            if "mine" in reading.cues and (unit.kind in CANDIDATE_KINDS or unit.about_candidate):
                scores[number] *= OWN_PART_FACTOR  # "what should I do?" is not about Mark
            scores[number] += CUE_BONUS * len(unit.cues & reading.cues)
            if len(same) == 1 and unit.group in same:
                scores[number] += SAME_QUESTION_BONUS  # its own question, reworded
            if reading.mentions_candidate:
                scores[number] += CANDIDATE_CUE_BONUS * len(unit.candidate_cues & reading.cues)
            by_group[unit.group].append(number)
        ranked: list[tuple[float, Unit, Unit | None, float, bool]] = []
        # Between equal passages, the one whose section or question is titled with what
        # is asked ("the Tories": the section on politics, not a line elsewhere).
        stems = {stem for concept in reading.concepts for choice in concept for stem in choice}
        titled = {group: len(stems & self._titles.get(group, set())) for group in by_group}
        for members in by_group.values():
            members.sort(key=lambda n: (-scores[n] - minor[n], n))
            first = members[0]
            if wants_record:
                first = next((n for n in members if self.units[n].kind == "record"), first)
            missing = set(idf) - strong[first]
            second = None
            gain = 0.0
            for number in members:
                if number == first or self.units[number].kind == "overview":
                    continue
                extra = sum(idf[c] for c in strong[number] & missing)
                if extra > gain:
                    second, gain = number, extra
            covered = covers[first] | (strong[second] if second is not None else set())
            coverage = sum(named_weight[c] for c in covered) / sum(named_weight.values())
            score = scores[first] + 0.5 * gain
            accepted = coverage >= MIN_COVERAGE and score >= MIN_SCORE
            score += minor[first]
            named = [c for c in idf if c not in reading.actions]
            if len(idf) >= 2 and named and named[-1] not in covered and idf[named[-1]] >= HEAD_IDF:
                # The last thing named is usually what a question is about ("social media
                # companies"): a passage that misses it answers something else. Not a word
                # the material uses everywhere ("tax justice campaigns"), nor a verb.
                accepted = False
            if accepted and reading.unknown:
                # A word the material never uses may be the real topic ("Brexit"). Answer
                # anyway only if the rest is fully covered and something distinctive in
                # it is matched by the passage's own text, or the question's form fits.
                own_words = strong[first] | (strong[second] if second is not None else set())
                distinctive = any(idf[c] >= DISTINCTIVE for c in own_words)
                fits = bool(self.units[first].cues & reading.cues)
                accepted = coverage >= 1.0 and len(idf) >= MIN_KNOWN and (distinctive or fits)
            ranked.append(
                (
                    score,
                    self.units[first],
                    self.units[second] if second is not None else None,
                    coverage,
                    accepted,
                )
            )
        ranked.sort(key=lambda row: (-row[0], -titled[row[1].group]))
        return ranked


def topics(reading: Reading) -> frozenset[frozenset[str]]:
    """What a question is about, however it is worded: the stems of each concept."""
    return frozenset(
        frozenset(stem for choice in concept for stem in choice) for concept in reading.concepts
    )


def topicless(language: Language, reading: Reading) -> frozenset[str]:
    """Stems of the words naming no topic that say what is asked ("priorities", "view")."""
    return frozenset(language.stem(w) for w in reading.words if w in ASKING_NOUNS)


def _only_why_him(reading: Reading) -> bool:
    """ "Why is Mark seeking re-election?": why he stands, whatever the verb."""
    return (
        reading.mentions_candidate
        and "why" in reading.cues
        and all(word_class(word) == "verb" for word in reading.unknown)
    )


def _asks_for_personal_details(reading: Reading) -> bool:
    """About the candidate's private life, or about who else supports or volunteers."""
    said = set(reading.words) | set(reading.raw)
    if reading.mentions_candidate and said & PERSONAL:
        return True
    if reading.mentions_candidate and said & MONEY and not said & MEMBERS:
        return True
    nearby = bool(said & NEARBY) or reading.names_a_branch
    return bool(said & OTHER_PEOPLE and said & ASKING_WHO and nearby)


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
