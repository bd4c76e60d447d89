"""Answer engine speed and size: latency over the evaluation questions, index build, memory.

    python benchmarks/answers.py

Prints JSON: median and p95 answer latency (warm, every question in campaign/eval),
index build time (the engine built from the campaign pack), and peak memory.
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.campaign import load_campaign  # noqa: E402
from bot.knowledge import AnswerEngine  # noqa: E402
from bot.knowledge.evaluate import evaluate, load_cases  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> None:
    campaign = load_campaign(ROOT / "campaign")
    builds = []
    for _ in range(7):
        started = time.perf_counter()
        engine = AnswerEngine(campaign)
        builds.append(time.perf_counter() - started)
    now = datetime(2019, 9, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    files = sorted((ROOT / "campaign" / "eval").glob("*.jsonl"))
    questions = [case.question for path in files for case in load_cases(path)]
    for question in questions:  # warm: typo corrections and stems are cached
        engine.answer(question, now)
    latencies = []
    for _ in range(5):
        for question in questions:
            started = time.perf_counter()
            engine.answer(question, now)
            latencies.append(time.perf_counter() - started)
    quality = {
        path.stem: {
            "answer_accuracy": round(report.answer_accuracy, 4),
            "abstention_accuracy": round(report.abstention_accuracy, 4),
        }
        for path in files
        for report in [evaluate(engine, load_cases(path), now)]
    }
    print(
        json.dumps(
            {
                "benchmark": "answers",
                "questions": len(questions),
                "answers_timed": len(latencies),
                "median_ms": round(statistics.median(latencies) * 1000, 3),
                "p95_ms": round(percentile(latencies, 95) * 1000, 3),
                "max_ms": round(max(latencies) * 1000, 3),
                "index_build_s": round(statistics.median(builds), 4),
                "index_units": len(engine.units),
                "peak_memory_mb": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
                ),
                "quality": quality,
                "cpu_count": os.cpu_count(),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
