"""The organisers' dashboard at scale: 500 branches and 10,000 volunteers. Prints JSON.

    python benchmarks/dashboard.py [--branches 500] [--volunteers 10000] [--runs 7]

Times whole requests through the dashboard's aiohttp application (signed in, over a
local socket): the branch table (plain, filtered, sorted), one branch with its
volunteers, and the branch table as CSV. The figure that matters is the branch page's
median, which must stay under a second on a two-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from bot.app import import_branch_list, open_services  # noqa: E402
from bot.campaign.domain import Branch, ImportedVolunteer, NominationReport, Outcome, User  # noqa: E402
from bot.dashboard.app import make_app  # noqa: E402
from bot.runtime.clock import Clock  # noqa: E402
from bot.runtime.settings import Settings  # noqa: E402
from bot.runtime.signin import new_link, signing_key  # noqa: E402
from tests.backends import sqlite_file_url  # noqa: E402

LONDON = ZoneInfo("Europe/London")
REGIONS = ("North West", "Scotland", "Wales", "London & South East", "Midlands", "Northern")
GROUPS = ("DWP", "HMRC", "MoJ", "Home Office", "DVLA", "Cabinet Office", "BEIS", "Defra")


async def seed(services: Any, branches: int, volunteers: int) -> list[Branch]:
    now = services.clock.now()
    listed = [
        Branch(f"B{n:04d}", f"Branch {n:04d}", GROUPS[n % len(GROUPS)], REGIONS[n % len(REGIONS)])
        for n in range(branches)
    ]
    await import_branch_list(services, listed, replace=True)
    people = [
        ImportedVolunteer(
            User("slack", f"U{n:06d}", f"Volunteer {n}"), listed[n % branches].code, now
        )
        for n in range(volunteers)
    ]
    await services.store.people.import_volunteers(people, "consent", now)
    reporter = User("slack", "U000000", "Volunteer 0")
    for n in range(0, branches, 3):  # a third have reported a result
        await services.store.nominations.record(
            NominationReport(
                listed[n].code,
                Outcome.NOMINATED if n % 2 else Outcome.OTHER,
                None,
                date(2019, 9, 18),
                reporter,
                now - timedelta(days=1),
            )
        )
    return listed


async def timed(client: TestClient, path: str, runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = await client.get(path)
        body = await response.read()
        times.append(time.perf_counter() - started)
        assert response.status == 200, (path, response.status)
        assert body
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            database_url=sqlite_file_url(Path(folder) / "store.db"),
            campaign=ROOT / "campaign",
            dashboard_port=8080,
        )
        clock = Clock(LONDON, start=datetime(2019, 9, 20, 10, 0, tzinfo=LONDON), frozen=True)
        async with open_services(settings, clock=clock, answers=False) as services:
            started = time.perf_counter()
            listed = await seed(services, args.branches, args.volunteers)
            seeded = time.perf_counter() - started
            key = await signing_key(settings, services.store)
            async with TestClient(TestServer(make_app(services, key))) as client:
                link = new_link(key, User("console", "olive", "olive"), clock.now())
                signed = await client.post("/signin", data={"token": link}, allow_redirects=False)
                assert signed.status == 303
                one = listed[1].code
                results = {
                    "branches_page": await timed(client, "/branches", args.runs),
                    "branches_filtered": await timed(
                        client, "/branches?region=Wales&stage=nominated+us", args.runs
                    ),
                    "branches_sorted": await timed(
                        client, "/branches?sort=days_since&dir=desc", args.runs
                    ),
                    "branch_page": await timed(client, f"/branches/{one}", args.runs),
                    "branches_csv": await timed(client, "/branches/branches.csv", args.runs),
                }
    median = results["branches_page"]["median_ms"]
    return {
        "benchmark": "dashboard",
        "branches": args.branches,
        "volunteers": args.volunteers,
        "runs": args.runs,
        "seed_s": round(seeded, 1),
        **results,
        "branches_page_under_1s": median < 1000,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branches", type=int, default=500)
    parser.add_argument("--volunteers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    print(json.dumps(asyncio.run(main(parser.parse_args()))))
