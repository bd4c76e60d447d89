"""Choosing an answer with the learned ranker.

The ranker gives each class (a section, an FAQ entry, an interview item, the timetable,
"decline") a probability. Below the threshold chosen by cross-validation, or for
"decline", the engine declines. Within the chosen class, the unit closest to the
question answers (a section's overview unless one of its lines is clearly closer; a line
with a figure when a figure is asked for). A second class close behind is named in one
short line. An organiser's answer to a question very like this one wins outright, so
that an answer added from chat is used at once, before the next training.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from dataclasses import dataclass

import numpy as np

from bot.knowledge.config import RankerConfig
from bot.knowledge.encoder import Encoder, Vector
from bot.knowledge.language import Reading
from bot.knowledge.ranker import DECLINE, Ranker
from bot.knowledge.rules import RuleWords, asks_for_figure
from bot.knowledge.training import UnitVectors
from bot.knowledge.units import Unit

TIMETABLE = "timetable"
RECENT_QUESTIONS = 1024  # questions whose reading is kept: many people ask the same thing


@dataclass(frozen=True, slots=True)
class Choice:
    unit: Unit | None  # None: decline (or the timetable, below)
    probability: float
    second: Unit | None = None  # the next closest line of the same section, if any
    also: Unit | None = None  # the headline of a class close behind
    timetable: bool = False  # the timetable as a whole ("what are the key dates?")
    figure_refused: bool = False


def _has_figure(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


class LearnedChooser:
    def __init__(
        self,
        encoder: Encoder,
        ranker: Ranker,
        units: list[Unit],
        config: RankerConfig,
        rule: RuleWords,
        embeddings: UnitVectors,
        learned_questions: dict[str, str],
    ):
        self.encoder = encoder
        self.ranker = ranker
        # 1.5 KB each, with the classes' probabilities (the same for the same vector).
        self._recent: OrderedDict[str, tuple[Vector, list[tuple[str, float]]]] = OrderedDict()
        self.config = config
        self.rule = rule
        self._classes: dict[str, list[int]] = defaultdict(list)
        for number, unit in enumerate(units):
            self._classes[unit.source_id].append(number)
        self.units = units
        self._vectors = embeddings.vectors([u.text for u in units])
        keys = sorted(learned_questions)
        self._learned_keys = keys
        self._learned = (
            embeddings.vectors([learned_questions[k] for k in keys])
            if keys
            else np.zeros((0, self._vectors.shape[1]), dtype=np.float32)
        )

    def headline(self, label: str) -> Unit | None:
        numbers = self._classes.get(label)
        return self.units[numbers[0]] if numbers else None

    def probabilities(self, vector: Vector) -> list[tuple[str, float]]:
        row = self.ranker.probabilities(vector[None, :])[0]
        order = np.argsort(-row, kind="stable")
        return [(self.ranker.labels[i], float(row[i])) for i in order]

    def overrules_date(self, ranked: list[tuple[str, float]]) -> bool:
        """Whether the ranker is sure a question the date rule took is about something
        else: off-topic ("the appeal deadline for a sacked member"), or a manifesto or
        interview passage ("when did Labour block him from voting?")."""
        label, probability = ranked[0]
        if probability < self.config.date_overrule:
            return False
        if label == DECLINE:
            return True
        unit = self.headline(label)
        return unit is not None and unit.kind in ("overview", "background")

    def rank(self, question: str) -> tuple[Vector, list[tuple[str, float]]]:
        """The question's vector and the classes' probabilities, best first. The model
        is uncased and ignores spacing, so the same words asked again (the common case:
        "when do nominations close?") are encoded once, from a bounded cache."""
        key = " ".join(question.lower().split())
        known = self._recent.get(key)
        if known is None:
            vector = self.encoder.encode([question])[0]
            vector.setflags(write=False)
            known = self._recent[key] = (vector, self.probabilities(vector))
            if len(self._recent) > RECENT_QUESTIONS:
                self._recent.popitem(last=False)
        else:
            self._recent.move_to_end(key)
        return known[0], list(known[1])

    def choose(self, reading: Reading, vector: Vector, ranked: list[tuple[str, float]]) -> Choice:
        if len(self._learned):
            closeness = self._learned @ vector
            best = int(np.argmax(closeness))
            if closeness[best] >= self.config.learned_match:
                unit = self.headline(self._learned_keys[best])
                if unit is not None:
                    return Choice(unit, float(closeness[best]))
        label, probability = ranked[0]
        if label == DECLINE or probability < self.ranker.threshold:
            return Choice(None, probability)
        if label == TIMETABLE:
            return Choice(None, probability, timetable=True)
        numbers = self._classes.get(label, [])
        if not numbers:
            return Choice(None, probability)  # an organiser's answer since withdrawn
        if asks_for_figure(reading, self.rule):
            numbers = [n for n in numbers if _has_figure(self.units[n].text)]
            if not numbers:
                return Choice(None, probability, figure_refused=True)
        unit, second = self._closest(numbers, vector)
        also = None
        for other, chance in ranked[1:3]:
            if other in (DECLINE, TIMETABLE, label):
                continue
            if chance >= self.config.close_second * probability:
                also = self.headline(other)
            break
        return Choice(unit, probability, second, also)

    def _closest(self, numbers: list[int], vector: Vector) -> tuple[Unit, Unit | None]:
        """The unit closest to the question (the first, the headline, unless another is
        closer by the margin), and, for a line, the next closest line."""
        closeness = self._vectors[numbers] @ vector
        order = [int(i) for i in np.argsort(-closeness, kind="stable")]
        best = order[0]
        if closeness[best] - closeness[0] < self.config.line_margin:
            return self.units[numbers[0]], None
        rest = [i for i in order[1:] if i != 0]
        return self.units[numbers[best]], self.units[numbers[rest[0]]] if rest else None
