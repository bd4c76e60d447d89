"""Command latency under load, console cold start, and peak memory. Prints JSON.

200 concurrent callers (each a different person) run /nominate, /progress and /ask
through the real dispatcher, option parsing, answer engine and store, on a real SQLite
file. Each caller sends its next command as soon as it has its reply (no think time), so
200 commands are always in flight: the bot saturated, not idling. Every latency includes
the time spent queued behind the other callers.

    python benchmarks/commands.py [--callers 200] [--rounds 10] [--json-only]
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

from bot.app import open_services  # noqa: E402
from bot.dispatch.dispatcher import Dispatcher  # noqa: E402
from bot.runtime.clock import Clock  # noqa: E402
from bot.runtime.messages import Channel, User  # noqa: E402
from bot.runtime.settings import Settings  # noqa: E402

QUESTIONS = [
    "when do nominations close?",
    "what is Mark doing about outsourced cleaners",
    "how many branches does he need",
    "what will mark do about pay",
    "how do I get my branch to nominate",
    "whats his position on equality for women",
    "who runs the ballot",
    "does mark support brexit",
    "when does the ballot open",
    "what about scotland and wales",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


async def load(callers: int, rounds: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=f"sqlite+aiosqlite:///{folder}/bench.db", campaign=ROOT / "campaign"
        )
        zone = ZoneInfo("Europe/London")
        clock = Clock(zone, start=datetime(2019, 9, 20, 10, 0, tzinfo=zone))
        async with open_services(settings, clock=clock) as services:
            dispatcher = Dispatcher(services)
            branches = [b.code for b in services.campaign.branches]
            outcomes = ["nominated", "nominated", "other", "none"]
            rng = random.Random(7)
            channel = Channel("bench")
            results: dict[str, dict[str, object]] = {}

            def nominate(n: int) -> tuple[str, dict[str, str]]:
                return "nominate", {"branch": rng.choice(branches), "outcome": rng.choice(outcomes)}

            def progress(n: int) -> tuple[str, dict[str, str]]:
                return "progress", {}

            def ask(n: int) -> tuple[str, dict[str, str]]:
                return "ask", {"question": QUESTIONS[n % len(QUESTIONS)]}

            # Warm up: first connections, first compiled statements, first answers.
            warm = User("bench", "warm-up", "Warm up")
            for command, options in (nominate(0), progress(0), ask(0), ask(7)):
                await dispatcher.run(command, options, warm, channel)

            for name, make in (("nominate", nominate), ("progress", progress), ("ask", ask)):
                latencies: list[float] = []
                errors = 0

                async def caller(index: int, make=make, latencies=latencies) -> None:  # type: ignore[no-untyped-def]
                    nonlocal errors
                    user = User("bench", f"caller{index}", f"Caller {index}")
                    for round_number in range(rounds):
                        # Each caller is its own connection: let the others in between.
                        await asyncio.sleep(0)
                        command, options = make(index * rounds + round_number)
                        started = time.perf_counter()
                        reply = await dispatcher.run(command, options, user, channel)
                        latencies.append(time.perf_counter() - started)
                        errors += reply.is_error

                started = time.perf_counter()
                await asyncio.gather(*(caller(i) for i in range(callers)))
                elapsed = time.perf_counter() - started
                results[name] = {
                    "calls": len(latencies),
                    "errors": errors,
                    "p50_ms": round(statistics.median(latencies) * 1000, 2),
                    "p99_ms": round(percentile(latencies, 99) * 1000, 2),
                    "max_ms": round(max(latencies) * 1000, 2),
                    "per_second": round(len(latencies) / elapsed, 1),
                }
            tally = await services.store.nominations.tally()
            history = len(await services.store.nominations.timeline())
            results["nominate"]["reports_recorded"] = history - 1  # less the warm-up
            results["nominate"]["branches_with_a_result"] = (
                tally.nominated + tally.other + tally.no_nomination
            )
        return results


def cold_start(runs: int) -> dict[str, object]:
    """Seconds from starting `mobilise console` to its first reply on standard output."""
    timings = []
    first_run = None
    with tempfile.TemporaryDirectory() as folder:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
        }
        env["MOBILISE_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder}/cold.db"
        env["MOBILISE_CAMPAIGN"] = str(ROOT / "campaign")
        for run in range(runs + 1):
            started = time.perf_counter()
            process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "console"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                cwd=folder,
                env=env,
                text=True,
            )
            assert process.stdin is not None and process.stdout is not None
            process.stdin.write("/help\n")
            process.stdin.flush()
            line = process.stdout.readline()
            took = time.perf_counter() - started
            process.stdin.close()
            process.wait(timeout=30)
            if not line:
                raise RuntimeError("the console gave no reply")
            if run == 0:
                first_run = took  # creates and migrates the database
            else:
                timings.append(took)
    child_peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "median_s": round(statistics.median(timings), 3),
        "max_s": round(max(timings), 3),
        "first_run_with_migrations_s": round(first_run or 0.0, 3),
        "runs": runs,
        "console_peak_memory_mb": round(child_peak_mb, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--cold-runs", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    commands = asyncio.run(load(args.callers, args.rounds))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "benchmark": "commands",
        "callers": args.callers,
        "rounds_per_caller": args.rounds,
        "load": "closed loop, no think time",
        "backend": "sqlite",
        "commands": commands,
        "reports_per_second": commands["nominate"]["per_second"],  # type: ignore[index]
        "peak_memory_mb": round(peak_mb, 1),
        "cold_start": cold_start(args.cold_runs),
        "cpu_count": os.cpu_count(),
        "seconds": round(time.perf_counter() - started, 2),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
