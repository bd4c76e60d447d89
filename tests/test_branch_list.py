"""Replacing the branch list (`import-branches --replace`) mid-campaign: every nomination
made keeps counting, a retired branch is still found by its code and shown as retired,
and the sample-data warning goes once the union's own list is in."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
from datetime import datetime
from pathlib import Path

from bot.adapters.console import Console
from bot.app import open_services
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from tests.conftest import CAMPAIGN, LONDON, mobilise_command

NEW_LIST = (
    "code,name,group,region\n"
    "HMRC-BOOT,HMRC Bootle,HMRC,North West\n"
    "NEW-1,HMRC Bradford,HMRC,Yorkshire & Humberside\n"
)


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


async def mobilise(
    services: Services, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [
            *mobilise_command(),
            "--db",
            services.settings.database_url,
            "--campaign",
            str(CAMPAIGN),
            *args,
        ],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


async def test_a_replaced_list_keeps_every_nomination(
    alice: Console, bob: Console, services: Services, clock: Clock, tmp_path: Path
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    await say(bob, "/nominate branch:MOJ-LDN outcome:other nominee:Lloyd date:24 Sep")
    clock.set(datetime(2019, 10, 1, 10, 0, tzinfo=LONDON))
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    before = await say(alice, "/progress")
    assert before.startswith("Mark Serwotka: 1 of the 15 branches needed count so far")
    assert "Other candidates: 1 branch (Lloyd 1)" in before

    first = await mobilise(services, "--now", "2019-10-01T11:00", "console", stdin="/help\n")
    assert "the branch list is sample data" in first.stderr
    listing = tmp_path / "real.csv"
    listing.write_text(NEW_LIST)
    imported = await mobilise(services, "import-branches", str(listing), "--replace")
    assert imported.stdout.endswith("37 retired; 0 rows rejected.\n")

    # The bot as it starts again, on the new list.
    async with open_services(services.settings, clock=clock) as again:
        olive = Console(Dispatcher(again), "olive", organiser=True)
        carol = Console(Dispatcher(again), "carol")
        after = await say(carol, "/progress")
        assert after.startswith("Mark Serwotka: 1 of the 15 branches needed count so far")
        assert "Other candidates: 1 branch (Lloyd 1)" in after

        branch = await say(carol, "/branch DWP-LEEDS")
        assert branch.startswith("DWP Leeds (DWP, Yorkshire & Humberside): form sent.")
        assert "Retired from the branch list: its records stay, and count as before." in branch
        assert "Will it count? Yes: every check passes." in branch

        refused = await say(carol, "/volunteer branch:DWP-LEEDS consent:yes")
        assert refused.startswith("DWP Leeds is no longer on the branch list")
        assert "Nothing has been saved." in refused
        assert "DWP Leeds" not in await say(carol, "/volunteer branch:leeds consent:yes")

        assert "1 of the 15" in await say(olive, "/home")
        assert (await say(olive, "/verify branch:DWP-LEEDS")).startswith("Verified")

    export = await mobilise(services, "--now", "2019-10-02T10:00", "export")
    rows = {r["branch_code"]: r for r in csv.DictReader(io.StringIO(export.stdout))}
    assert rows["DWP-LEEDS"]["counts"] == "yes"
    assert rows["DWP-LEEDS"]["retired"] == "yes" and rows["MOJ-LDN"]["retired"] == "yes"
    assert rows["MOJ-LDN"]["nominee"] == "Lloyd"

    second = await mobilise(services, "--now", "2019-10-02T10:00", "console", stdin="/help\n")
    assert "sample data" not in second.stderr
