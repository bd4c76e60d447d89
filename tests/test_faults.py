"""Every fault is one clear line: bad settings, command-line mistakes, files from
spreadsheets, bodies Slack could send, and platforms that cannot be reached."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import os
import signal
import subprocess
from pathlib import Path

import pytest

from bot.adapters.slack import SlackAdapter
from bot.adapters.slack_http import Limits, SlackEndpoint
from bot.cli import main
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.services import Services
from bot.runtime.settings import Settings, load_settings
from tests import slack_harness as slack
from tests.conftest import CAMPAIGN, mobilise_command, sqlite_url
from tests.fakes.slack_api import FakeSlack, fake_slack
from tests.test_slack_http import Exchange, signed


def plain_environment(**extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    return {**env, **extra}


def mobilise(
    tmp_path: Path, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*mobilise_command(), "--campaign", str(CAMPAIGN), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
        cwd=tmp_path,
        env=plain_environment(MOBILISE_DATABASE_URL=sqlite_url(tmp_path / "bot.db"), **env),
    )


def one_clear_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# --- settings -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("MOBILISE_ORGANISERS", "olive", "names no platform"),
        ("MOBILISE_ORGANISERS", "console:olive,discord:olive", "digits"),
        ("MOBILISE_LOG_LEVEL", "LOUD", "not a log level"),
        ("MOBILISE_QUIET_END", "08:00", "start and end at 08:00"),
        ("DISCORD_GUILD_IDS", "my-server", "integer"),
    ],
)
def test_a_malformed_setting_stops_start_up_naming_the_variable(
    tmp_path: Path, variable: str, value: str, said: str
) -> None:
    env = {variable: value}
    if variable == "MOBILISE_QUIET_END":
        env["MOBILISE_QUIET_START"] = "08:00"
    line = one_clear_line(mobilise(tmp_path, "slack-manifest", **env))
    assert line.startswith(f"mobilise: bad setting {variable}:"), line
    assert said in line


def test_organiser_ids_are_matched_as_the_platform_compares_them() -> None:
    settings = Settings(
        organisers=["slack:u012ab", " Discord:500000000000000009 ", "console:olive"]
    )
    assert settings.is_organiser("slack", "U012AB")  # Slack's ids are upper case
    assert settings.is_organiser("discord", "500000000000000009")
    assert settings.is_organiser("console", "olive")
    assert not settings.is_organiser("console", "Olive")  # a console name is as typed
    assert not settings.is_organiser("slack", "U999")
    assert not settings.is_organiser("discord", "olive")  # no id a platform could give


def test_the_cache_folder_is_read_from_env_like_every_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text(
        "MOBILISE_CACHE=built\nMOBILISE_LOG_LEVEL=error\nMOBILISE_QUIET_START=07:30\n",
        encoding="utf-8",
    )
    settings = load_settings()
    assert settings.cache == tmp_path / "built"  # relative to the folder holding .env
    assert settings.log_level == "ERROR"
    assert settings.quiet_start.hour == 7
    # The answer engine finds the folder where it always has: the command sets it.
    monkeypatch.setenv("MOBILISE_CACHE", "unset-by-the-test")
    monkeypatch.delenv("MOBILISE_CACHE")
    assert main(["slack-manifest"]) == 0
    capsys.readouterr()
    assert os.environ["MOBILISE_CACHE"] == str(tmp_path / "built")


# --- command-line mistakes ------------------------------------------------------------


def test_command_line_mistakes_are_one_line_not_a_traceback(tmp_path: Path) -> None:
    planted = one_clear_line(mobilise(tmp_path, "rehearse", "--plant", "foo"))
    assert "no planted bug 'foo'" in planted and "count-future-meetings" in planted
    made = mobilise(tmp_path, "console", "--as", "alice", stdin="/progress\n")
    assert made.returncode == 0, made.stderr
    chart = one_clear_line(mobilise(tmp_path, "chart", "--out", "/missing/dir/x.png"))
    assert "/missing/dir" in chart
    assert not Path("/missing/dir/x.png").exists()


# --- CSV ------------------------------------------------------------------------------


def test_a_csv_saved_by_excel_with_a_byte_order_mark_is_imported(tmp_path: Path) -> None:
    assert mobilise(tmp_path, "console", "--as", "olive", stdin="/progress\n").returncode == 0
    volunteers = tmp_path / "volunteers.csv"
    volunteers.write_text(
        "platform,user_id,name,branch,consented_at\r\n"
        "slack,U0BOM1,Bea,DWP Leeds,2019-09-01T12:00\r\n",
        encoding="utf-8-sig",  # what Excel's "CSV UTF-8" writes
    )
    assert volunteers.read_bytes().startswith(b"\xef\xbb\xbf")
    result = mobilise(tmp_path, "--now", "2019-09-20T10:00", "import-volunteers", str(volunteers))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Imported 1 volunteers" in result.stdout
    branches = tmp_path / "branches.csv"
    branches.write_text("code,name,group,region\r\nNEW-1,New Branch,HMRC,Wales\r\n", "utf-8-sig")
    result = mobilise(tmp_path, "import-branches", str(branches))
    assert result.returncode == 0 and "Imported 1 branches" in result.stdout, result.stdout
    report = tmp_path / "report.csv"
    report.write_text("branch,candidate\r\nDWP Leeds,Mark Serwotka\r\n", encoding="utf-8-sig")
    result = mobilise(tmp_path, "reconcile", str(report))
    assert result.returncode == 0 and "unreadable" not in result.stdout, result.stdout


def test_import_errors_name_the_line_of_the_file_not_the_record(tmp_path: Path) -> None:
    assert mobilise(tmp_path, "console", "--as", "olive", stdin="/progress\n").returncode == 0
    volunteers = tmp_path / "volunteers.csv"
    volunteers.write_text(
        "platform,user_id,name,branch,consented_at\n"
        'slack,U1,"Ann\nof two lines",DWP Leeds,2019-09-01T12:00\n'  # lines 2 and 3
        "\n"  # line 4
        "fax,U2,Bob,DWP Leeds,2019-09-01T12:00\n",  # line 5, the third record
        encoding="utf-8",
    )
    result = mobilise(tmp_path, "--now", "2019-09-20T10:00", "import-volunteers", str(volunteers))
    assert result.returncode == 2
    assert f"refused: {volunteers}, line 5: platform is 'fax'" in result.stdout, result.stdout
    report = tmp_path / "report.csv"
    report.write_text('branch,candidate\n"DWP\nLeeds",Mark\nHMRC Cardiff,\n', encoding="utf-8")
    result = mobilise(tmp_path, "reconcile", str(report))
    assert f"unreadable: {report}, line 4: needs both" in result.stdout, result.stdout


def test_export_escapes_every_formula_lead_fullwidth_ones_included(tmp_path: Path) -> None:
    assert mobilise(tmp_path, "console", "--as", "olive", stdin="/progress\n").returncode == 0
    leads = ["＝1+1", "＋44 1", "－2", "＠SUM(A1)", "=1+1", " =cmd", "−3", "﹦x"]
    listed = tmp_path / "volunteers.csv"
    with listed.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["platform", "user_id", "name", "branch", "consented_at"])
        for number, lead in enumerate(leads):
            writer.writerow(["slack", f"U{number}", lead, "DWP Leeds", "2019-09-01T12:00"])
    result = mobilise(tmp_path, "--now", "2019-09-20T10:00", "import-volunteers", str(listed))
    assert result.returncode == 0, result.stdout + result.stderr
    exported = mobilise(tmp_path, "--now", "2019-09-20T10:00", "export", "volunteers")
    assert exported.returncode == 0, exported.stderr
    names = [row["display_name"] for row in csv.DictReader(io.StringIO(exported.stdout))]
    assert sorted(names) == sorted("'" + lead.strip() for lead in leads), names


# --- Slack bodies ---------------------------------------------------------------------


async def test_a_press_with_actions_null_is_acknowledged_and_ignored(
    slack_services: Services, slack_settings: Settings, fake: FakeSlack
) -> None:
    adapter = SlackAdapter(Dispatcher(slack_services), slack_settings)
    for actions in (None, [], "missing"):
        payload: dict[str, object] = {
            "type": "block_actions",
            "user": {"id": "U1"},
            "team": {"id": "T1"},
            "trigger_id": f"T-{actions!r}",
        }
        if actions != "missing":
            payload["actions"] = actions
        response = await slack.interaction(adapter, payload)
        assert (response.status, response.body) == (200, "")
        # And over HTTP, through the endpoint's own checks.
        body = slack.interaction_body(payload).encode()
        exchange = Exchange(body, signed(body))
        await SlackEndpoint(adapter.app, slack.SECRET, Limits())(
            exchange.scope(), exchange.receive, exchange.send
        )
        assert exchange.status == 200
    await asyncio.sleep(0.2)
    assert [c for c in fake.calls if c.method.startswith(("chat.", "views."))] == []


# --- platforms that cannot be reached -------------------------------------------------


async def run_until_it_ends(tmp_path: Path, **env: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *mobilise_command(),
        "--campaign",
        str(CAMPAIGN),
        "run",
        env=plain_environment(MOBILISE_DATABASE_URL=sqlite_url(tmp_path / "bot.db"), **env),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 120)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stderr.decode()


def closed_port() -> str:
    return "http://127.0.0.1:9/"  # the discard port: nothing listens on it here


async def test_slack_unreachable_at_start_up_is_one_line_naming_it(tmp_path: Path) -> None:
    code, stderr = await run_until_it_ends(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-offline",
        SLACK_APP_TOKEN="xapp-offline",
        SLACK_API_URL=f"{closed_port()}api/",
        MOBILISE_LOG_LEVEL="WARNING",
    )
    assert code != 0  # how soon: benchmarks/faults.py
    lines = stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, stderr
    assert "cannot reach Slack at http://127.0.0.1:9/api/" in lines[-1]
    assert "Traceback" not in stderr and "xoxb-offline" not in stderr


async def test_discord_unreachable_at_start_up_is_one_line_naming_it(tmp_path: Path) -> None:
    code, stderr = await run_until_it_ends(
        tmp_path, DISCORD_TOKEN="offline-token", DISCORD_API_URL=f"{closed_port()}api/v10"
    )
    assert code != 0  # how soon: benchmarks/faults.py
    lines = stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, stderr
    assert "cannot reach Discord at http://127.0.0.1:9/api/v10" in lines[-1]
    assert "Traceback" not in stderr and "offline-token" not in stderr


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_socket_mode_unreachable_retries_and_stops_when_told(
    tmp_path: Path, sig: signal.Signals
) -> None:
    async with fake_slack() as fake:
        fake.socket_url = "ws://127.0.0.1:9/link"  # apps.connections.open names a dead end
        process = await asyncio.create_subprocess_exec(
            *mobilise_command(),
            "--campaign",
            str(CAMPAIGN),
            "run",
            env=plain_environment(
                MOBILISE_DATABASE_URL=sqlite_url(tmp_path / "bot.db"),
                SLACK_BOT_TOKEN="xoxb-socket",
                SLACK_APP_TOKEN="xapp-socket",
                SLACK_API_URL=f"{fake.base_url}api/",
            ),
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_for("apps.connections.open", count=4, within=180)
            process.send_signal(sig)  # before, only kill -9 stopped it
            _, stderr = await asyncio.wait_for(process.communicate(), 20)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        attempts = len(fake.calls_to("apps.connections.open"))
    assert process.returncode == 0  # how soon: benchmarks/faults.py
    text = stderr.decode()
    assert "Traceback" not in text, text
    tries = [line for line in text.splitlines() if "Socket Mode websocket" in line]
    # One line per attempt, each waiting longer than the last.
    assert len(tries) in (attempts, attempts - 1), text
    waits = [float(line.rsplit("trying again in ", 1)[1].split()[0]) for line in tries]
    assert waits[:3] == [1, 2, 4], waits


# --- stopping -------------------------------------------------------------------------


async def test_a_purge_under_way_at_shutdown_ends_without_an_error(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.runtime.leader import Lease
    from schedules import jobs
    from schedules.deliver import Deliverer

    started = asyncio.Event()

    async def slow_purge(*args: object, **kwargs: object) -> None:
        started.set()
        await asyncio.sleep(60)  # a purge of a large store, still going at shutdown

    monkeypatch.setattr(jobs, "purge_if_due", slow_purge)
    monkeypatch.setattr(jobs, "STOP_WAIT", 0.2)
    caplog.set_level(logging.INFO)
    lease = Lease(services.store, "test", 15)
    await lease.acquire(wait=None, poll=0.1)
    async with jobs.scheduled(Deliverer(services, {}, lease), every=60):
        await asyncio.wait_for(started.wait(), 30)
    await asyncio.sleep(0.2)  # the scheduler's own callbacks for the job run now
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert any("stopped with the bot" in r.getMessage() for r in caplog.records)
