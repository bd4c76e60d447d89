"""Answering a question that asks for a kind of thing (a date, a figure, a name, a
post): from the first of the best passages with a sentence on the question's topic that
holds one, that sentence leading; otherwise "not stated", with the nearest thing the
material says."""

from __future__ import annotations

from bot.knowledge.answertype import holds
from bot.knowledge.asking import asks_about_now, counted
from bot.knowledge.choice import Choice
from bot.knowledge.fusion import Bm25
from bot.knowledge.language import Language, Reading
from bot.knowledge.units import Unit

# Words that say what kind of thing is asked for, not what it is about.
ASKING_WORDS = (
    "long many much old year years date day time number figure percentage age cost price "
    "stand initials"
)
TYPED_DEPTH = 3  # how far down the fused ranking a sentence holding the asked fact is sought


class TypedAnswers:
    """The answer-type check, for the learned chooser: it reads the chooser's units, their
    sentences (each with its terms) and its BM25 index."""

    language: Language
    units: list[Unit]
    _bm25: Bm25
    _sentences: list[list[tuple[str, frozenset[str]]]]
    _asking_stems: frozenset[str]
    _frames: tuple[str, ...]

    def _unframed(self, line: str) -> str:
        """A sentence without the words that frame a passage ("Background from a 2015
        interview, ..."), whose date is not the fact a question asks for."""
        for frame in self._frames:
            line = line.replace(frame, " ")
        return line.strip()  # its first word starts it, and is no name for that

    def _typed(
        self, kind: str, question: str, reading: Reading, order: list[int], probability: float
    ) -> Choice:
        """A question asking for a date, a figure, a name...: answered from the first of the
        best units with a sentence on the question's topic that holds one, leading with it;
        otherwise "not stated", with the nearest thing the material says."""
        # What the question is about: its concepts ("NEC" is one, however it is written),
        # without the words that only say what kind of thing is asked for.
        asked = [
            [frozenset(choice) for choice in concept]
            for concept in reading.concepts
            if not all(set(choice) <= self._asking_stems for choice in concept)
        ]
        now = asks_about_now(question)
        # Asked about the candidate, his own name is not the name asked for.
        not_names = self.language.candidate_words if reading.mentions_candidate else frozenset()
        # What a count counts, short forms spelt out ("noms": "nominations").
        things = tuple(
            {
                form
                for word in counted(question)
                for form in (word, *self.language.read(word, find_actions=False).words)
            }
        )
        nearest: tuple[int, str] | None = None

        def overlap(terms: frozenset[str]) -> float:
            """How much of what is asked a sentence is about: its concepts, each by its
            rarest word's weight in the pack (BM25's idf), so that "women" outweighs
            "executive" in "how many women are on the national executive?"."""
            return sum(
                max((self._bm25.idf(stem) for c in concept if c <= terms for stem in c), default=0)
                for concept in asked
            )

        candidates = [
            (
                number,
                sorted(
                    ((overlap(t), line) for line, t in self._sentences[number]),
                    key=lambda pair: -pair[0],
                ),
            )
            for number in order[:TYPED_DEPTH]
        ]
        # Only the sentences most about what is asked, among the best units, may answer
        # it: another line near it ("men make up 70% of delegates" when the question is
        # about female NEC members) is not the fact asked for.
        best = max((scored[0][0] for _, scored in candidates if scored), default=0.0)
        for depth, (number, scored) in enumerate(candidates):
            if nearest is None and scored:
                nearest = (number, scored[0][1])
            own = scored[0][0] if scored else 0.0
            # In the best unit, any of its sentences about what is asked, or any when none
            # uses the question's words; further down, only those most about it of all.
            # When no sentence of the best units shares a word with the question ("how large
            # is the union?"), any line of the chosen passage holding the kind asked may answer.
            loose = (depth == 0 and not own) or (
                not best and self.units[number].source_id == self.units[order[0]].source_id
            )
            for shared, line in scored:
                said = self._unframed(line)
                if (loose or (shared and (depth == 0 or shared >= best))) and holds(
                    kind, said, question, now, not_names, things
                ):
                    return Choice(self.units[number], probability, lead=line)
        number, line = nearest if nearest is not None else (order[0], self.units[order[0]].text)
        return Choice(self.units[number], probability, not_stated=kind, lead=line)
