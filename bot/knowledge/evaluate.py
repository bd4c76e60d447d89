"""Scoring the answer engine against a file of questions with known good answers.

A question file has one JSON object per line: `{"q": ..., "any": [phrases]}` for a
question the campaign material answers (a correct answer contains at least one phrase,
ignoring case, and a percentage however it is written: "42%", "42 percent" and "42 per
cent" are one figure), or `{"q": ..., "abstain": true}` for one the bot should decline. A line
may record the passage that answers it (`"unit": "private-sector"`, or `"decline"`): the
learned ranker trains on those.

Each accuracy comes with a 95% confidence interval (Wilson's). `cross_validate` measures
how the whole engine does on question files it was not trained on: the files are split
into folds, whole; for each fold a ranker is trained without it (its threshold chosen by
cross-validation over the remaining files only) and the engine is scored on it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.campaign.pack import Campaign
from bot.errors import UserError
from bot.knowledge.config import DEFAULT, RankerConfig
from bot.knowledge.engine import MAX_ANSWER, AnswerEngine
from bot.stats import wilson as interval


def wilson(successes: int, total: int) -> tuple[float, float]:
    """The 95% Wilson score interval for a proportion, to four places."""
    low, high = interval(successes, total)
    return (round(low, 4), round(high, 4))


_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|per\s?cent\b)", re.IGNORECASE)


def _comparable(text: str) -> str:
    """Text as phrases are looked for in it: lower case, each percentage in one form."""
    return _PERCENT.sub(r"\1%", text).lower()


def contains_phrase(text: str, phrases: Iterable[str]) -> bool:
    """Whether an answer's text contains any of a case's phrases."""
    text = _comparable(text)
    return any(_comparable(p) in text for p in phrases)


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    expected: tuple[str, ...] = ()
    abstain: bool = False


@dataclass
class Report:
    answerable: int = 0
    answered_right: int = 0
    off_topic: int = 0
    declined_right: int = 0
    too_long: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    @property
    def answer_accuracy(self) -> float:
        return self.answered_right / self.answerable if self.answerable else 0.0

    @property
    def abstention_accuracy(self) -> float:
        return self.declined_right / self.off_topic if self.off_topic else 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "answerable": self.answerable,
            "answered_right": self.answered_right,
            "answer_accuracy": round(self.answer_accuracy, 4),
            "answer_accuracy_95ci": list(wilson(self.answered_right, self.answerable)),
            "off_topic": self.off_topic,
            "declined_right": self.declined_right,
            "abstention_accuracy": round(self.abstention_accuracy, 4),
            "abstention_accuracy_95ci": list(wilson(self.declined_right, self.off_topic)),
            "answers_over_limit": self.too_long,
            "misses": self.misses,
        }

    def add(self, other: Report) -> None:
        self.answerable += other.answerable
        self.answered_right += other.answered_right
        self.off_topic += other.off_topic
        self.declined_right += other.declined_right
        self.too_long += other.too_long
        self.misses += other.misses

    def summary(self) -> str:
        answers = wilson(self.answered_right, self.answerable)
        declines = wilson(self.declined_right, self.off_topic)
        return (
            f"answer accuracy: {self.answered_right}/{self.answerable} "
            f"({self.answer_accuracy:.1%}, 95% CI {answers[0]:.1%}-{answers[1]:.1%})\n"
            f"abstention accuracy: {self.declined_right}/{self.off_topic} "
            f"({self.abstention_accuracy:.1%}, 95% CI {declines[0]:.1%}-{declines[1]:.1%})\n"
            f"answers over 600 characters or without a source: {self.too_long}"
        )


def load_cases(path: Path) -> list[Case]:
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            item = json.loads(line)
            question = str(item["q"])
        except (ValueError, KeyError, TypeError):
            raise UserError(f'{path}, line {number}: expected {{"q": ..., "any": [...]}}') from None
        if item.get("abstain"):
            cases.append(Case(question, abstain=True))
        else:
            phrases = item.get("any")
            if not isinstance(phrases, list) or not phrases:
                raise UserError(f'{path}, line {number}: give "any": [phrases] or "abstain": true')
            cases.append(Case(question, tuple(str(p) for p in phrases)))
    return cases


def evaluate(engine: AnswerEngine, cases: Iterable[Case], now: datetime) -> Report:
    report = Report()
    for case in cases:
        answer = engine.answer(case.question, now)
        if len(answer.text) > MAX_ANSWER or (answer.answered and answer.source is None):
            report.too_long += 1
        if case.abstain:
            report.off_topic += 1
            if not answer.answered:
                report.declined_right += 1
            else:
                report.misses.append(
                    {
                        "q": case.question,
                        "expected": "decline",
                        "got": answer.text,
                        "source": answer.source_id,
                    }
                )
            continue
        report.answerable += 1
        if answer.answered and contains_phrase(answer.text, case.expected):
            report.answered_right += 1
        else:
            report.misses.append(
                {
                    "q": case.question,
                    "expected": list(case.expected),
                    "got": answer.text if answer.answered else "(declined)",
                    "source": answer.source_id,
                }
            )
    return report


def cross_validate(
    campaign: Campaign, now: datetime, cache: Path | None = None, config: RankerConfig = DEFAULT
) -> tuple[Report, dict[str, Report]]:
    """The engine scored on each training question file while it is held out."""
    from bot.knowledge.encoder import cache_dir
    from bot.knowledge.ranker import Ranker
    from bot.knowledge.training import (
        FOLDS,
        EmbeddingCache,
        file_examples,
        pack_examples,
        question_files,
    )
    from bot.knowledge.training import (
        cross_validate as choose_threshold,
    )

    engine = AnswerEngine(campaign, ranking="learned", cache=cache, config=config)
    assert engine.encoder is not None
    embeddings = EmbeddingCache(engine.encoder, cache or cache_dir())
    # The files that train the ranker (those without labels are scored apart).
    files = [p for p in question_files(campaign.root / "eval") if file_examples(p, campaign)]
    examples = {path: file_examples(path, campaign) for path in files}
    total, by_file = Report(), {}
    for fold in range(FOLDS):
        held = [path for n, path in enumerate(files) if n % FOLDS == fold]
        train = pack_examples(campaign)
        for path in files:
            if path not in held:
                train += examples[path]
        vectors = embeddings.vectors([e.text for e in train])
        threshold = choose_threshold(train, vectors, config)["threshold"]
        bank = [e.asked for e in train]
        ranker = Ranker.train(vectors, [e.label for e in train], config, threshold, bank=bank)
        engine.use_ranker(ranker)
        for path in held:
            report = evaluate(engine, load_cases(path), now)
            by_file[path.stem] = report
            total.add(report)
    return total, by_file


def writers(folder: Path) -> dict[str, list[Path]]:
    """Each writer's question files, as `sets.yaml` lists them (by glob)."""
    import yaml

    manifest = folder / "sets.yaml"
    listed = (
        (yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}).get("writers", {})
        if manifest.is_file()
        else {}
    )
    return {
        str(name): sorted({p for pattern in patterns for p in folder.glob(str(pattern))})
        for name, patterns in listed.items()
    }


def cross_validate_writers(
    campaign: Campaign, now: datetime, cache: Path | None = None, config: RankerConfig = DEFAULT
) -> tuple[Report, dict[str, Report]]:
    """Each writer's question files scored by an engine whose ranker was trained (and its
    threshold chosen) without any file of that writer: how it does on a stranger's words."""
    from bot.knowledge.encoder import cache_dir
    from bot.knowledge.ranker import Ranker
    from bot.knowledge.training import EmbeddingCache, file_examples, pack_examples
    from bot.knowledge.training import cross_validate as choose_threshold

    engine = AnswerEngine(campaign, ranking="learned", cache=cache, config=config)
    assert engine.encoder is not None
    embeddings = EmbeddingCache(engine.encoder, cache or cache_dir())
    folder = campaign.root / "eval"
    by_writer = writers(folder)
    total, reports = Report(), {}
    trained = engine._ranker
    for writer, held in by_writer.items():
        if not any(file_examples(path, campaign) for path in held):
            # None of this writer's files trains the ranker: the one built for the pack
            # (from every labelled file, its threshold chosen on them) is already blind to it.
            assert trained is not None
            engine.use_ranker(trained)
            report = Report()
            for path in held:
                report.add(evaluate(engine, load_cases(path), now))
            reports[writer] = report
            total.add(report)
            continue
        train = pack_examples(campaign)
        for other, paths in by_writer.items():
            if other != writer:
                for path in paths:
                    train += file_examples(path, campaign)
        vectors = embeddings.vectors([e.text for e in train])
        threshold = choose_threshold(train, vectors, config)["threshold"]
        bank = [e.asked for e in train]
        ranker = Ranker.train(vectors, [e.label for e in train], config, threshold, bank=bank)
        engine.use_ranker(ranker)
        report = Report()
        for path in held:
            report.add(evaluate(engine, load_cases(path), now))
        reports[writer] = report
        total.add(report)
    return total, reports
