"""Choosing an answer with the learned ranker.

The ranker gives each class (a section, an FAQ entry, an interview item, the timetable,
"decline") a probability. Below the threshold chosen by cross-validation, or for
"decline", the engine declines. When the ranker is not sure and BM25 and the sentence
model both put one passage first, that passage's class answers instead. Within the chosen class, the unit closest to the
question answers (a section's overview unless one of its lines is clearly closer; a line
with a figure when a figure is asked for). A second class close behind is named in one
short line. An organiser's answer to a question very like this one wins outright, so
that an answer added from chat is used at once, before the next training.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import replace

import numpy as np

from bot.knowledge.answertype import holds, sentences
from bot.knowledge.asking import SUMMARY
from bot.knowledge.choice import Choice
from bot.knowledge.config import RankerConfig
from bot.knowledge.encoder import DIMENSIONS, Encoder, Vector
from bot.knowledge.fusion import Bm25, Scores, fuse, ranks
from bot.knowledge.language import Language, Reading
from bot.knowledge.ranker import DECLINE, Ranker
from bot.knowledge.rules import RuleWords
from bot.knowledge.training import UnitVectors, plain_names
from bot.knowledge.typed import ASKING_WORDS, TypedAnswers
from bot.knowledge.units import Unit

TIMETABLE = "timetable"
RECENT_QUESTIONS = 1024  # questions whose vector is kept: many people ask the same thing


class LearnedChooser(TypedAnswers):
    def __init__(
        self,
        encoder: Encoder,
        ranker: Ranker,
        units: list[Unit],
        config: RankerConfig,
        rule: RuleWords,
        embeddings: UnitVectors,
        learned_questions: dict[str, str],
        language: Language,
        frames: tuple[str, ...] = (),
        names: tuple[str, str] = ("", ""),
    ):
        self.encoder = encoder
        self._plain = plain_names(*names)
        self.language = language
        self.ranker = ranker
        # Recent questions' vectors and classes' probabilities, in rows of two arrays made
        # once: a thousand small arrays made one by one, between the encoder's large
        # passing ones, held several times their size in scattered memory.
        self._recent: OrderedDict[str, int] = OrderedDict()  # question -> row
        self._recent_vectors = np.zeros((RECENT_QUESTIONS, DIMENSIONS), dtype=np.float32)
        self._recent_rows = np.zeros((RECENT_QUESTIONS, len(ranker.labels)), dtype=np.float32)
        self.config = config
        self.rule = rule
        self._classes: dict[str, list[int]] = defaultdict(list)
        for number, unit in enumerate(units):
            self._classes[unit.source_id].append(number)
        self.units = units
        self._vectors = embeddings.vectors([u.text for u in units])
        # Each sentence is read once: its terms serve the answer-type check, and with the
        # unit's title and key terms, BM25.
        read = [[(line, self._terms(line)) for line in sentences(u.text)] for u in units]
        self._bm25 = Bm25(
            [
                [
                    *language.index_terms(u.source_title),
                    *(t for _, ts in lines for t in ts),
                    *u.terms,
                ]
                for u, lines in zip(units, read, strict=True)
            ]
        )
        self._asking_stems = frozenset(language.index_terms(ASKING_WORDS))
        self._last_scores: tuple[tuple[str, ...], Scores] | None = None
        self._sentences = [[(line, frozenset(terms)) for line, terms in lines] for lines in read]
        self._frames = tuple(f for f in frames if f)
        keys = sorted(learned_questions)
        self._learned_keys = keys
        self._learned = (
            embeddings.vectors([self._plain(learned_questions[k]) for k in keys])
            if keys
            else np.zeros((0, self._vectors.shape[1]), dtype=np.float32)
        )

    def headline(self, label: str) -> Unit | None:
        numbers = self._classes.get(label)
        return self.units[numbers[0]] if numbers else None

    def probabilities(self, vector: Vector) -> list[tuple[str, float]]:
        return self._ranked(self.ranker.probabilities(vector[None, :])[0])

    def _ranked(self, row: Vector) -> list[tuple[str, float]]:
        order = np.argsort(-row, kind="stable")
        return [(self.ranker.labels[i], float(row[i])) for i in order]

    def overrules_date(self, ranked: list[tuple[str, float]]) -> bool:
        """Whether the ranker is sure a question the date rule took is about something
        else: off-topic ("the appeal deadline for a sacked member"), or a manifesto or
        interview passage ("when was he barred from the Labour vote?")."""
        label, probability = ranked[0]
        if label == TIMETABLE:
            return False
        if probability >= self.config.date_overrule:
            if label == DECLINE:
                return True
            unit = self.headline(label)
            if unit is not None and unit.kind in ("overview", "background"):
                return True
        # A passage that dates the very thing asked about, ranked well above the timetable
        # ("when was the revised nominations report published?": the timetable has no
        # reports, the passage on them gives their dates).
        timetable = next((p for other, p in ranked if other == TIMETABLE), 0.0)
        return probability > 2 * timetable and self._gives_a_date(label)

    def _gives_a_date(self, label: str) -> bool:
        return any(holds("date", self.units[n].text) for n in self._classes.get(label, ()))

    def rank(self, question: str) -> tuple[Vector, list[tuple[str, float]]]:
        """The question's vector and the classes' probabilities, best first. The model
        is uncased and ignores spacing, so the same words asked again (the common case:
        "when are nominations due?") are encoded once, from a bounded cache."""
        question = self._plain(question)
        key = " ".join(question.lower().split())
        row = self._recent.get(key)
        if row is None:
            vector = self.encoder.encode([question])[0]
            probabilities = self.ranker.probabilities(vector[None, :])[0]
            if len(self._recent) >= RECENT_QUESTIONS:
                _, row = self._recent.popitem(last=False)
            else:
                row = len(self._recent)
            self._recent[key] = row
            self._recent_vectors[row] = vector
            self._recent_rows[row] = probabilities
        else:
            self._recent.move_to_end(key)
        vector = self._recent_vectors[row].copy()  # the row is reused: callers get their own
        vector.setflags(write=False)
        return vector, self._ranked(self._recent_rows[row])

    def choose(
        self,
        reading: Reading,
        vector: Vector,
        ranked: list[tuple[str, float]],
        question: str = "",
        kind: str | None = None,
    ) -> Choice:
        """The passage that answers, or a decline; `kind`: what the question asks for
        (`asked_type`), read once by the caller."""
        if len(self._learned):
            closeness = self._learned @ vector
            best = int(np.argmax(closeness))
            if closeness[best] >= self.config.learned_match:
                unit = self.headline(self._learned_keys[best])
                if unit is not None:
                    return Choice(unit, float(closeness[best]))
        label, probability = ranked[0]
        if label == DECLINE or probability < self.ranker.threshold:
            if not self._agreed(reading, vector, ranked):
                return self._near_miss(reading, vector, ranked, question, kind)
            ranked = [pair for pair in ranked if pair[0] != DECLINE]
            label, probability = ranked[0]
        else:
            ranked = self._agreed_first(reading, vector, ranked)
            label, probability = ranked[0]
        if label == TIMETABLE:
            return Choice(None, probability, timetable=True)
        order = self._fused(reading, vector, ranked)
        if not order:
            return Choice(None, probability)  # an organiser's answer since withdrawn
        heads = self._classes.get(self.units[order[0]].source_id, [])
        # "Mark's vision?": a short question about the candidate on one topic that
        # none of the passage's lines holds asks for the passage as a whole.
        whole = (
            len(reading.concepts) == 1
            and len(reading.words) <= 7
            and reading.mentions_candidate
            and not any(
                set(alt) <= self._unit_terms(n) for n in heads[1:] for alt in reading.concepts[0]
            )
        )
        if heads and (whole or SUMMARY.search(question or reading.original)) and heads[0] in order:
            # "The new challenges in a nutshell?": the section's overview, not one line.
            order = [heads[0], *(n for n in order if n != heads[0])]
        top = self.units[order[0]]
        if kind is not None:
            typed = self._typed(kind, question or reading.original, reading, order, probability)
            if typed.not_stated is not None or typed.unit is None:
                return typed
            return replace(typed, also=self._also(typed.unit, ranked, probability))
        lines = [n for n in order[1:] if self.units[n].source_id == top.source_id]
        # The overview adds nothing after one of its own lines: the next line follows.
        lines = [n for n in lines if self.units[n].kind != "overview"] or lines
        second = self.units[lines[0]] if lines else None
        if second is not None and top.kind == "overview":
            second = None  # an overview already holds its section's pledges
        leads = False
        if lines:
            # A line of the same passage that matches the question's words better than
            # the passage chosen holds the detail asked for: it follows, if there is room.
            scores = self._lexical_scores(reading)
            closest = max(lines, key=lambda n: scores[n])
            if scores[closest] > scores[order[0]]:
                second = self.units[closest]
                # An overview holds only the pledges that fit: one it left out that holds
                # words of the question it does not, leads.
                asked = set(self.language.index_terms(" ".join(reading.words)))
                leads = top.kind == "overview" and bool(
                    asked & self._unit_terms(closest) - self._unit_terms(order[0])
                )
        also = self._also(top, ranked, probability)
        rest = [n for n in lines if second is None or self.units[n] is not second]
        third = self.units[rest[0]] if rest and top.kind != "overview" else None
        return Choice(top, probability, second, also, second_leads=leads, third=third)

    def _near_miss(
        self,
        reading: Reading,
        vector: Vector,
        ranked: list[tuple[str, float]],
        question: str,
        kind: str | None,
    ) -> Choice:
        """A decline. When a passage came close behind "decline" and the question asks
        for a kind of thing that passage does not hold, the decline says so and names the
        nearest thing it does say; it is never turned into an answer."""
        declined = Choice(None, ranked[0][1])
        others = [pair for pair in ranked if pair[0] != DECLINE]
        if kind is None or not others or others[0][0] == TIMETABLE:
            return declined
        if others[0][1] < self.config.close_second * ranked[0][1]:
            return declined
        order = self._fused(reading, vector, others)
        if not order:
            return declined
        typed = self._typed(kind, question or reading.original, reading, order, others[0][1])
        return typed if typed.not_stated is not None else declined

    def _unit_terms(self, number: int) -> frozenset[str]:
        """Every term of a unit's sentences, as read when the chooser was built."""
        return frozenset().union(*(terms for _, terms in self._sentences[number]))

    def _also(self, unit: Unit, ranked: list[tuple[str, float]], probability: float) -> Unit | None:
        """The headline of a class close behind, to name in one line."""
        for other, chance in ranked[1:3]:
            if other in (DECLINE, TIMETABLE, unit.source_id):
                continue
            if chance >= self.config.close_second * probability:
                return self.headline(other)
            return None
        return None

    def _terms(self, text: str) -> list[str]:
        """The stems of a passage as a question's are read: short forms spelt out too
        ("NEC" is also "national executive committee")."""
        said = self.language.read(text, find_actions=False).words
        return self.language.index_terms(" ".join(said))

    def _agreed(self, reading: Reading, vector: Vector, ranked: list[tuple[str, float]]) -> bool:
        """Whether the three rankings agree on what answers a question the learned ranker
        would decline: its best class other than "decline" holds both the unit BM25 ranks
        first and the unit closest in meaning. No threshold: only agreement."""
        label = next((name for name, _ in ranked if name != DECLINE), None)
        if label is None or label == TIMETABLE:
            return False
        query = self.language.index_terms(" ".join(reading.words))
        scores = self._bm25.scores(query)
        if not scores.any():
            return False
        lexical = self.units[int(np.argmax(scores))].source_id
        dense = self.units[int(np.argmax(self._vectors @ vector))].source_id
        return lexical == dense == label

    def _lexical_scores(self, reading: Reading) -> Scores:
        """Each unit's BM25 score for the question (the last question's are kept: one
        question asks for them up to three times)."""
        key = reading.words
        last = self._last_scores  # read once: another thread may replace it
        if last is None or last[0] != key:
            last = (key, self._bm25.scores(self.language.index_terms(" ".join(key))))
            self._last_scores = last
        return last[1]

    def _agreed_first(
        self, reading: Reading, vector: Vector, ranked: list[tuple[str, float]]
    ) -> list[tuple[str, float]]:
        """The classes in the learned ranker's order, except that when the ranker is not
        sure (`date_overrule`, its documented level of sureness, chosen before this rule)
        and the two rankings that learned nothing from questions put one unit first, that
        unit's class answers: the learned ranker knows how questions were worded in-house,
        BM25 and the sentence model know the material."""
        if ranked[0][1] >= self.config.date_overrule:
            return ranked
        scores = self._lexical_scores(reading)
        if not scores.any():
            return ranked
        lexical = int(np.argmax(scores))
        if lexical != int(np.argmax(self._vectors @ vector)):
            return ranked
        agreed = self.units[lexical].source_id
        if agreed in (ranked[0][0], TIMETABLE):
            return ranked
        return [p for p in ranked if p[0] == agreed] + [p for p in ranked if p[0] != agreed]

    def _fused(
        self, reading: Reading, vector: Vector, ranked: list[tuple[str, float]]
    ) -> list[int]:
        """Units best first: those of the class the learned ranker chose, ordered by
        reciprocal-rank fusion of BM25 and the sentence model's cosine; then the others,
        by the fusion of those two and the learned ranker's order of their classes."""
        position = {label: n for n, (label, _) in enumerate(ranked)}
        allowed = [n for n, u in enumerate(self.units) if u.source_id in position]
        if not allowed:
            return []
        scores = self._lexical_scores(reading)
        lexical = ranks(scores[allowed])
        dense = (self._vectors[allowed] @ vector).astype(np.float64)
        classes = np.array([position[self.units[n].source_id] for n in allowed], dtype=np.float64)
        fused = fuse(lexical, ranks(dense), ranks(-4.0 * classes + dense))
        within = fuse(lexical, ranks(dense))
        chosen = ranked[0][0]
        own = [i for i in range(len(allowed)) if self.units[allowed[i]].source_id == chosen]
        own.sort(key=lambda i: -within[i])
        # The class's headline (a section's overview) answers unless a line is closer in
        # meaning by the margin, or matches more of the question's words.
        if len(own) > 1:
            head = min(own)
            best = own[0]
            if best != head and (
                dense[best] - dense[head] < self.config.line_margin
                and scores[allowed[best]] <= scores[allowed[head]]
            ):
                own.remove(head)
                own.insert(0, head)
        owned = set(own)
        rest = [int(i) for i in np.argsort(-fused, kind="stable") if int(i) not in owned]
        return [allowed[i] for i in [*own, *rest]]
