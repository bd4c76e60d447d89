"""Answer engine speed and size: start-up, latency per question, and the bot's peak memory.

    python benchmarks/answers.py [--questions 5000] [--volunteers 10000] [--ranking auto]

Prints JSON:
- `start`: seconds for a fresh process to have the model and index ready
  (`AnswerEngine(campaign)`, built files already cached), and its imports apart;
- `latency`: median and p95 per question, warm, over every training question file, in
  wall-clock time and in the answering thread's CPU time (the machine's load is given:
  on a shared machine the wall-clock figures include waiting for a core);
- `memory`: peak resident memory (ru_maxrss) of a process that imports everything
  `mobilise run` does, opens the bot's services on a store holding `--volunteers`
  volunteers, and answers `--questions` unique questions through the /ask command;
- `quality`: the figures on each training question file (the ranker trained on them:
  regression figures, not generalisation; `mobilise eval --cross-validate` measures that).
The held-out question files are never run here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONE = ZoneInfo("Europe/London")
NOW = datetime(2019, 9, 20, 10, 0, tzinfo=ZONE)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def training_questions() -> list[str]:
    from bot.knowledge.evaluate import load_cases
    from bot.knowledge.training import question_files

    return [c.question for p in question_files(ROOT / "campaign" / "eval") for c in load_cases(p)]


def unique_questions(count: int) -> list[str]:
    """Questions as supporters vary them: the training questions, then each with a few
    words added, so that every one is new to the bot's caches."""
    base = training_questions()
    rng = random.Random(5)
    tails = ["please", "thanks", "mate", "asap", "again", "today", "folks", "quickly", "pls"]
    out = list(dict.fromkeys(base))[:count]
    while len(out) < count:
        out.append(f"{rng.choice(base)} {rng.choice(tails)} {rng.randrange(10**6)}")
    return out


def child_start(ranking: str) -> None:
    started = time.perf_counter()
    from bot.campaign.loading import load_campaign
    from bot.knowledge import AnswerEngine

    campaign = load_campaign(ROOT / "campaign")
    imported = time.perf_counter()
    engine = AnswerEngine(campaign, ranking=ranking)
    ready = time.perf_counter()
    engine.answer("what is mark planning on pay", NOW)
    first = time.perf_counter()
    print(
        json.dumps(
            {
                "imports_s": imported - started,
                "ready_s": ready - imported,
                "first_answer_s": first - ready,
                "ranking": engine.ranking,
            }
        )
    )


async def child_populate(database: str, volunteers: int) -> None:
    from bot.campaign.loading import load_campaign
    from bot.runtime.messages import User
    from bot.store import Store

    campaign = load_campaign(ROOT / "campaign")
    store = await Store.open(database)
    try:
        await store.branches.sync(campaign.branches, NOW)
        codes = [b.code for b in campaign.branches]
        for start in range(0, volunteers, 200):
            await asyncio.gather(
                *(
                    store.people.sign_up(
                        User("bench", f"v{n}", f"Volunteer {n}"), codes[n % len(codes)], "yes", NOW
                    )
                    for n in range(start, min(volunteers, start + 200))
                )
            )
    finally:
        await store.close()


async def child_memory(database: str, questions: int) -> None:

    from bot.app import open_services
    from bot.dispatch.dispatcher import Dispatcher
    from bot.runtime.clock import Clock
    from bot.runtime.messages import Channel, User
    from bot.runtime.settings import Settings

    asked = unique_questions(questions)
    settings = Settings(database_url=database, campaign=ROOT / "campaign")
    async with open_services(settings, clock=Clock(ZONE, start=NOW)) as services:
        dispatcher = Dispatcher(services)
        channel = Channel("bench")
        started_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for n, question in enumerate(asked):
            user = User("bench", f"v{n % 10_000}", "Volunteer")
            await dispatcher.run("ask", {"question": question}, user, channel)
        ranking = services.answers.ranking
    print(
        json.dumps(
            {
                "peak_after_start_mb": round(started_mb, 1),
                "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "questions": len(asked),
                "ranking": ranking,
            }
        )
    )


def run_child(*args: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, __file__, *args], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=5000)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--ranking", default="auto", choices=("auto", "learned", "lexical"))
    parser.add_argument("--child", choices=("start", "populate", "memory"))
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.child == "start":
        child_start(args.ranking)
        return
    if args.child == "populate":
        asyncio.run(child_populate(args.db, args.volunteers))
        print("{}")
        return
    if args.child == "memory":
        asyncio.run(child_memory(args.db, args.questions))
        return

    from bot.campaign.loading import load_campaign
    from bot.knowledge import AnswerEngine
    from bot.knowledge.evaluate import evaluate, load_cases
    from bot.knowledge.training import question_files

    campaign = load_campaign(ROOT / "campaign")
    engine = AnswerEngine(campaign, ranking=args.ranking)  # builds what is not cached yet
    starts = [run_child("--child", "start", "--ranking", args.ranking) for _ in range(3)]
    questions = training_questions()
    for question in questions:
        engine.answer(question, NOW)
    latencies, cpu = [], []
    for _ in range(3):
        for question in questions:
            started, started_cpu = time.perf_counter(), time.thread_time()
            engine.answer(question, NOW)
            latencies.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
    quality = {
        path.stem: [round(r.answer_accuracy, 4), round(r.abstention_accuracy, 4)]
        for path in question_files(ROOT / "campaign" / "eval")
        for r in [evaluate(engine, load_cases(path), NOW)]
    }
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite+aiosqlite:///{folder}/bench.db"
        run_child("--child", "populate", "--db", database, "--volunteers", str(args.volunteers))
        memory = run_child(
            "--child", "memory", "--db", database, "--questions", str(args.questions)
        )
    report = {
        "benchmark": "answers",
        "ranking": engine.ranking,
        "start": {
            "ready_s_median": round(statistics.median(s["ready_s"] for s in starts), 3),  # type: ignore[misc]
            "imports_s_median": round(statistics.median(s["imports_s"] for s in starts), 3),  # type: ignore[misc]
            "first_answer_s_median": round(
                statistics.median(s["first_answer_s"] for s in starts), 4
            ),  # type: ignore[misc]
        },
        "latency": {
            "questions": len(questions),
            "answers_timed": len(latencies),
            "median_ms": round(statistics.median(latencies) * 1000, 3),
            "p95_ms": round(percentile(latencies, 95) * 1000, 3),
            "max_ms": round(max(latencies) * 1000, 3),
            # CPU time of the answering thread: what the engine costs, apart from waiting
            # for a core on a busy machine.
            "cpu_median_ms": round(statistics.median(cpu) * 1000, 3),
            "cpu_p95_ms": round(percentile(cpu, 95) * 1000, 3),
            "load_average_1min": round(os.getloadavg()[0], 2),
        },
        "memory": {"volunteers": args.volunteers, **memory},
        "quality_on_training_files": quality,
        "cpu_count": os.cpu_count(),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
