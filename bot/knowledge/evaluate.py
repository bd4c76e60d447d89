"""Scoring the answer engine against a file of questions with known good answers.

A question file has one JSON object per line: `{"q": ..., "any": [phrases]}` for a
question the campaign material answers (a correct answer contains at least one phrase,
ignoring case), or `{"q": ..., "abstain": true}` for one the bot should decline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.errors import UserError
from bot.knowledge.engine import MAX_ANSWER, AnswerEngine


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
            "off_topic": self.off_topic,
            "declined_right": self.declined_right,
            "abstention_accuracy": round(self.abstention_accuracy, 4),
            "answers_over_limit": self.too_long,
            "misses": self.misses,
        }


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
        text = answer.text.lower()
        if answer.answered and any(p.lower() in text for p in case.expected):
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
