"""Where every branch stands: pipeline stages, compliance, the chart, import and reconcile."""

from __future__ import annotations

import asyncio
import struct
import subprocess
from datetime import datetime
from pathlib import Path

from bot.adapters.console import Console
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from tests.conftest import CAMPAIGN, LONDON, mobilise_command
from tests.store_rows import table_rows


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


async def stage_line(console: Console) -> str:
    return (await say(console, "/branch branch:DWP-LEEDS")).splitlines()[0]


async def pipeline_counts(organiser: Console) -> dict[str, int]:
    lines = (await say(organiser, "/pipeline group:DWP")).splitlines()
    counts = {}
    for line in lines[1:]:
        stage, _, number = line.rpartition(": ")
        if not number.isdigit():  # the stages are counted; then come the lists
            break
        counts[stage] = int(number)
    return counts


async def test_a_branch_walks_through_every_stage(
    alice: Console, organiser: Console, services: Services, clock: Clock, tmp_path: Path
) -> None:
    prefix = "DWP Leeds (DWP, Yorkshire & Humberside): "
    assert await stage_line(alice) == prefix + "no volunteer."
    assert (await pipeline_counts(organiser)) == {"no volunteer": 8}

    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    assert await stage_line(alice) == prefix + "volunteer signed up."
    assert (await pipeline_counts(organiser))["volunteer signed up"] == 1
    assert (await say(alice, "/branch DWP-LEEDS")).endswith(
        "Next step: ask the Branch Secretary to call a general meeting, then report it with "
        "/meeting."
    )

    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    assert await stage_line(alice) == prefix + "meeting called."
    pipeline = await say(organiser, "/pipeline group:DWP")
    assert "meeting called: 1" in pipeline
    assert "Stuck longest" not in pipeline  # the meeting is still to come: nothing to do yet

    clock.set(datetime(2019, 10, 1, 9, 0, tzinfo=LONDON))
    assert await stage_line(alice) == prefix + "meeting held."
    assert "meeting held: 1" in await say(organiser, "/pipeline group:DWP")

    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    branch = await say(alice, "/branch DWP-LEEDS")
    assert branch.splitlines()[0] == prefix + "nominated us."
    assert "Will it count? Not yet: form not sent yet." in branch
    assert "by alice" not in branch  # supporters do not see who reported what
    assert "nominated us: 1" in await say(organiser, "/pipeline group:DWP")

    await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    branch = await say(organiser, "/branch DWP-LEEDS")
    assert branch.splitlines()[0] == prefix + "form sent."
    assert "Will it count? Yes: every check passes." in branch
    assert "form sent, signed by Jo Bloggs (reported by alice)" in branch
    assert "form sent: 1" in await say(organiser, "/pipeline group:DWP")

    report = tmp_path / "report.csv"
    report.write_text("branch,candidate\nDWP Leeds,Mark Serwotka\n")
    result = await asyncio.to_thread(
        subprocess.run,
        [
            *mobilise_command(),
            "--db",
            services.settings.database_url,
            "--campaign",
            str(CAMPAIGN),
            "reconcile",
            str(report),
            "--apply",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Marked 1 nominations confirmed." in result.stdout
    branch = await say(organiser, "/branch DWP-LEEDS")
    assert branch.splitlines()[0] == prefix + "confirmed in the official report."
    assert branch.endswith("Next step: done: the nomination is in the official report.")
    assert "confirmed in the official report: 1" in await say(organiser, "/pipeline group:DWP")

    # The other endings of a branch's story.
    for code, outcome, stage in (
        ("DWP-SHEFF", "other nominee:Lloyd", "nominated another candidate"),
        ("DWP-NEWC", "none", "no nomination"),
        ("DWP-GLAS", "inquorate", "not quorate"),
    ):
        await say(alice, f"/nominate branch:{code} outcome:{outcome}")
        assert f": {stage}." in (await say(alice, f"/branch {code}")).splitlines()[0]
    counts = await pipeline_counts(organiser)
    assert counts["nominated another candidate"] == 1
    assert counts["no nomination"] == 1
    assert counts["not quorate"] == 1
    assert sum(counts.values()) == 8


async def test_pipeline_is_for_organisers_and_filters(alice: Console, organiser: Console) -> None:
    assert await say(alice, "/pipeline") == "Sorry, /pipeline is for campaign organisers only."
    assert (await say(organiser, "/pipeline region:Wales")).startswith(
        "Pipeline: 7 branches in Wales."
    )
    assert await say(organiser, "/pipeline region:Narnia") == "No branches match Narnia."


async def test_non_compliant_nominations_are_reported_but_not_counted(
    alice: Console, clock: Clock
) -> None:
    await say(alice, "/meeting branch:HMRC-BOOT date:30 Sep notice:20 Sep")  # 10 days' notice
    await say(alice, "/nominate branch:HMRC-BOOT outcome:nominated")
    await say(alice, "/meeting branch:MOJ-MANC date:16 Oct notice:1 Oct")  # after the close
    await say(alice, "/nominate branch:MOJ-MANC outcome:nominated")
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    assert "0 of the 15 branches needed" in await say(alice, "/progress")  # not met yet
    clock.set(datetime(2019, 10, 1, 9, 0, tzinfo=LONDON))
    await say(alice, "/formsent branch:HMRC-BOOT official:Ann")
    await say(alice, "/formsent branch:DWP-LEEDS official:Cy")
    lines = (await say(alice, "/progress")).splitlines()
    assert lines[0] == (
        "Mark Serwotka: 1 of the 15 branches needed count so far (0 verified). 14 more to go."
    )
    assert lines[1] == "Reported but not counted yet: 1 branch (only 10 days' notice: HMRC Bootle)."
    assert lines[2] == "Held until their meeting has happened: MoJ Manchester Courts (Wed 16 Oct)."
    assert "Will it count? No: meeting after the close." in await say(alice, "/branch MOJ-MANC")
    assert "Will it count? No: only 10 days' notice." in await say(alice, "/branch HMRC-BOOT")


async def test_forms_only_for_reported_nominations(alice: Console, services: Services) -> None:
    text = await say(alice, "/formsent branch:DWP-LEEDS official:Jo")
    assert text.startswith("DWP Leeds has no nomination of Mark Serwotka reported")
    assert await table_rows(services.store, "nomination_history") == []


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_chart_from_the_command_line(
    alice: Console, services: Services, tmp_path: Path
) -> None:
    for code in ("DWP-LEEDS", "HMRC-BOOT", "MOJ-BRIS"):
        await say(alice, f"/nominate branch:{code} outcome:nominated")
    out = tmp_path / "x.png"
    await asyncio.to_thread(
        subprocess.run,
        [
            *mobilise_command(),
            "--db",
            services.settings.database_url,
            "--campaign",
            str(CAMPAIGN),
            "--now",
            "2019-10-01T12:00",
            "chart",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    data = out.read_bytes()
    width, height = png_size(data)
    assert width >= 800 and height >= 400
    from matplotlib import image

    pixels = image.imread(out)
    # The threshold line is drawn in firebrick (178, 34, 34) across the plot.
    red = (abs(pixels[:, :, 0] - 178 / 255) < 0.05) & (abs(pixels[:, :, 1] - 34 / 255) < 0.05)
    rows = red.sum(axis=1)
    assert rows.max() > width * 0.5  # one long horizontal red line


async def test_progress_chart_is_attached(alice: Console) -> None:
    reply = await alice.reply_to("/progress chart:true")
    assert reply is not None and reply.attachment is not None
    assert reply.attachment.mime == "image/png"
    assert png_size(reply.attachment.content)[0] >= 800


async def test_reconcile_prints_exactly_the_differences(
    alice: Console, services: Services, tmp_path: Path
) -> None:
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")  # agrees
    await say(alice, "/nominate branch:HMRC-LEEDS outcome:nominated")  # extra
    await say(alice, "/nominate branch:MOJ-LDN outcome:nominated")  # conflict
    await say(alice, "/nominate branch:CULT-NG outcome:other nominee:Lloyd")  # agrees
    await say(alice, "/nominate branch:HO-CROY outcome:none")  # no nomination either side
    report = tmp_path / "official.csv"
    report.write_text(
        "Branch,Candidate\n"
        "DWP Leeds,M Serwotka\n"
        "DWP Newcastle,Lloyd\n"  # missing
        "MoJ London Courts,Lloyd\n"
        "National Gallery,Lloyd\n"
    )
    result = await asyncio.to_thread(
        subprocess.run,
        [
            *mobilise_command(),
            "--db",
            services.settings.database_url,
            "--campaign",
            str(CAMPAIGN),
            "reconcile",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines() == [
        "missing: DWP Newcastle (DWP-NEWC): the official report has a nomination of Lloyd; "
        "nobody reported it.",
        "extra: HMRC Leeds (HMRC-LEEDS): reported as nominating Mark Serwotka; not in the "
        "official report.",
        "conflict: MoJ London Courts (MOJ-LDN): the official report says Lloyd; reported as "
        "Mark Serwotka.",
        "3 differences; 2 branches agree with the official report.",
    ]
    rows = await table_rows(services.store, "nominations")
    assert all(row[-1] is None for row in rows)  # nothing confirmed without --apply


async def test_import_branches_rejects_bad_rows_by_line(
    alice: Console, services: Services, tmp_path: Path
) -> None:
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    listing = tmp_path / "branches.csv"
    listing.write_text(
        "code,name,group,region\n"
        "DWP-LEEDS,DWP Leeds Central,DWP,Yorkshire & Humberside\n"
        "NEW-1,HMRC Bradford,HMRC,Yorkshire & Humberside\n"
        "NEW-1,HMRC Bradford Again,HMRC,Yorkshire & Humberside\n"
        "NEW-2,,HMRC,Wales\n"
        "NEW-3,DVLA Swansea North,DVLA,Wales\n"
    )
    result = await asyncio.to_thread(
        subprocess.run,
        [
            *mobilise_command(),
            "--db",
            services.settings.database_url,
            "--campaign",
            str(CAMPAIGN),
            "import-branches",
            str(listing),
            "--replace",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines() == [
        f"rejected: {listing}, line 4: code NEW-1 repeats line 3",
        f"rejected: {listing}, line 5: branch NEW-2 has no name",
        "Imported 3 branches: 2 new, 1 updated, 0 unchanged, 37 retired; 2 rows rejected.",
    ]
    branches = {b.code: b.name for b in await services.store.branches.active()}
    assert branches == {
        "DWP-LEEDS": "DWP Leeds Central",
        "NEW-1": "HMRC Bradford",
        "NEW-3": "DVLA Swansea North",
    }
    kept = await services.store.nominations.current("DWP-LEEDS")
    assert kept is not None and kept.outcome == "nominated"  # records stay attached
    retired = await table_rows(services.store, "branches")
    assert len(retired) == 38 + 2
    # A restart does not bring the pack's sample list back.
    from bot.app import open_services

    async with open_services(services.settings, clock=Clock(LONDON, frozen=True)) as again:
        assert len(again.branches) == 3


def test_chart_needs_an_output(tmp_path: Path) -> None:
    result = subprocess.run(
        [*mobilise_command(), "chart"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "--out" in result.stderr
