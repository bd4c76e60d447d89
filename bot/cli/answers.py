"""Answers from the command line: `ask`, `eval`, and `faq-export` of organisers' answers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from bot.app import open_services
from bot.errors import UserError
from bot.knowledge.evaluate import evaluate, load_cases
from bot.settings import Settings


async def ask(args: argparse.Namespace, settings: Settings) -> int:
    async with open_services(settings) as services:
        questions = (
            [args.question]
            if args.question
            else [line.strip() for line in sys.stdin if line.strip()]
        )
        for question in questions:
            answer = services.answers.answer(question, services.clock.now())
            if args.explain:
                for row in services.answers.explain(question):
                    print("  " + json.dumps(row), file=sys.stderr)
            if args.json:
                print(json.dumps(answer.as_json(), ensure_ascii=False))
            else:
                source = f"\n(Source: {answer.source_title})" if answer.source_title else ""
                print(answer.text + source)
    return 0


async def eval(args: argparse.Namespace, settings: Settings) -> int:
    try:
        cases = load_cases(Path(args.file))
    except (OSError, UserError) as exc:
        print(f"mobilise eval: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return 2
    async with open_services(settings) as services:
        report = evaluate(services.answers, cases, services.clock.now())
    if args.json:
        print(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
        return 0
    print(
        f"answer accuracy: {report.answered_right}/{report.answerable} "
        f"({report.answer_accuracy:.1%})\n"
        f"abstention accuracy: {report.declined_right}/{report.off_topic} "
        f"({report.abstention_accuracy:.1%})\n"
        f"answers over 600 characters or without a source: {report.too_long}"
    )
    for miss in report.misses:
        print(f"- {miss['q']!r}: expected {miss['expected']}; got {miss['got'][:160]!r}")
    return 0


async def faq_export(args: argparse.Namespace, settings: Settings) -> int:
    async with open_services(settings) as services:
        learned = await services.store.questions.answers()
    entries = [
        {
            "id": f"learned-{item.id}",
            "question": item.question,
            "alternates": [],
            # Pack answers are templates: keep literal braces literal.
            "answer": item.answer.replace("{", "{{").replace("}", "}}"),
            "keywords": [],
        }
        for item in learned
    ]
    print("# Answers added with /answer. Paste under `entries:` in the pack's faq.yaml.")
    if entries:
        print(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=88), end="")
    return 0
