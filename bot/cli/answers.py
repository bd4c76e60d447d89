"""Answers from the command line: `ask`, `eval`, and `faq-export` of organisers' answers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from bot.app import campaign_dir, make_clock, open_services
from bot.campaign.loading import load_campaign
from bot.errors import UserError
from bot.knowledge.evaluate import cross_validate, cross_validate_writers, evaluate, load_cases
from bot.knowledge.training import train_command
from bot.runtime.settings import Settings
from bot.store import Store


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
    if args.cross_writer:
        pack = load_campaign(campaign_dir(settings))
        total, by_writer = cross_validate_writers(pack, make_clock(settings).now())
        if args.json:
            each = {name: r.as_json() for name, r in by_writer.items()}
            print(json.dumps({"total": total.as_json(), "writers": each}, indent=2))
            return 0
        for name, r in by_writer.items():
            print(f"== {name}\n{r.summary()}")
        print(f"== all writers\n{total.summary()}")
        return 0
    if args.cross_validate or not args.file:
        pack = load_campaign(campaign_dir(settings))
        total, _ = cross_validate(pack, make_clock(settings).now())
        print(json.dumps(total.as_json(), indent=2) if args.json else total.summary())
        return 0
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
    print(report.summary())
    for miss in report.misses:
        print(f"- {miss['q']!r}: expected {miss['expected']}; got {miss['got'][:160]!r}")
    return 0


async def train(args: argparse.Namespace, settings: Settings) -> int:
    store = await Store.open(settings.database_url)
    try:
        learned = await store.questions.answers()
    finally:
        await store.close()
    report = train_command(load_campaign(campaign_dir(settings)), learned, force=args.force)
    print(json.dumps(report, indent=2))
    return 0 if report["trained"] else 1


async def faq_export(args: argparse.Namespace, settings: Settings) -> int:
    async with open_services(settings, create=False, answers=False) as services:
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
