"""Concurrent reports straight into the store, on SQLite and on PostgreSQL. Prints JSON.

    python benchmarks/store.py [--coroutines 500] [--reports 20]

Each coroutine records its reports one after another (a report is what /nominate
writes: the person, the history row and the branch's current nomination). PostgreSQL
is used when MOBILISE_TEST_POSTGRES_URL is set or a server answers on 127.0.0.1:5432,
in a fresh database that is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.campaign.domain import NominationReport  # noqa: E402
from bot.campaign.pack import Branch  # noqa: E402
from bot.runtime.messages import User  # noqa: E402
from bot.store import Store  # noqa: E402
from tests.backends import fresh_postgres, postgres_url  # noqa: E402

START = datetime(2019, 9, 20, 10, 0, tzinfo=ZoneInfo("Europe/London"))
BRANCHES = [Branch(f"B{n:03d}", f"Branch {n}", "Group", "Region") for n in range(100)]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def run(url: str, coroutines: int, reports: int) -> dict[str, Any]:
    store = await Store.open(url)
    await store.branches.sync(BRANCHES, START)
    latencies: list[float] = []

    async def reporter(n: int) -> None:
        user = User("bench", f"u{n}", f"User {n}")
        for k in range(reports):
            started = time.perf_counter()
            await store.nominations.record(
                NominationReport(
                    BRANCHES[(n * reports + k) % len(BRANCHES)].code,
                    ("nominated", "other", "none")[k % 3],
                    None,
                    None,
                    user,
                    START + timedelta(seconds=k),
                )
            )
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(reporter(n) for n in range(coroutines)))
    seconds = time.perf_counter() - began
    history = len(await store.nominations.timeline())
    current = len(await store.reports.nominations())
    await store.close()
    return {
        "reports": len(latencies),
        "seconds": round(seconds, 2),
        "reports_per_second": round(len(latencies) / seconds, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "history_rows": history,
        "current_nominations": current,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "benchmark": "store",
        "coroutines": args.coroutines,
        "reports_each": args.reports,
    }
    with tempfile.TemporaryDirectory() as folder:
        results["sqlite"] = await run(
            f"sqlite+aiosqlite:///{folder}/store.db", args.coroutines, args.reports
        )
    if postgres_url() is None:
        results["postgresql"] = {"skipped": "no PostgreSQL server (set MOBILISE_TEST_POSTGRES_URL)"}
    else:
        async with fresh_postgres() as url:
            results["postgresql"] = await run(url, args.coroutines, args.reports)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--coroutines", type=int, default=500)
    parser.add_argument("--reports", type=int, default=20)
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
