"""A full disk and a read-only store, met by real processes: each is one clear line and a
non-zero exit, and a Slack user hears that nothing was saved.

The store is put on a small tmpfs of its own, mounted in a private mount namespace
(`unshare --user --mount`), then filled or made read-only: the real ENOSPC and EROFS
errors, with nothing on the machine's own disks touched.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tests import slack_harness as slack
from tests.conftest import sqlite_url
from tests.fakes.slack_api import fake_slack
from tests.fleet import Fleet
from tests.slack_process import serve_slack_http
from tests.test_run import free_port, wait_until_up


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "true"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not _namespaces_work(), reason="needs user and mount namespaces (unshare) for a tmpfs"
    ),
]

# Mount a small tmpfs at $MNT, copy the store in, then (as $MODE says) fill it, make it
# read-only, or run the bot and fill it once the test says so ($GO), saying when ($FILLED).
SCRIPT = r"""set -e
mount -t tmpfs -o size=8m tmpfs "$MNT"
cp "$SRC" "$MNT/s.db"
fill() { dd if=/dev/zero of="$MNT/fill" bs=1024 count="$1" 2>/dev/null || true; }
room() { df -k --output=avail "$MNT" | tail -1; }
case "$MODE" in
  full) fill $(( $(room) - 40 )); exec "$@" ;;
  filling) fill $(( $(room) - 150 )); exec "$@" ;;
  readonly) mount -o remount,ro "$MNT"; exec "$@" ;;
  later)
    "$@" &
    echo $! > "$PIDFILE"
    while [ ! -e "$GO" ]; do sleep 0.1; done
    fill $(room)
    touch "$FILLED"
    wait ;;
esac
"""


async def in_namespace(
    fleet: Fleet, mode: str, *args: str, **env: str
) -> asyncio.subprocess.Process:
    mount = fleet.folder / "mnt"
    mount.mkdir(exist_ok=True)
    return await asyncio.create_subprocess_exec(
        "unshare",
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        SCRIPT,
        "sh",
        sys.executable,
        "-m",
        "bot.cli",
        *args,
        env={
            **fleet.environment(),
            "MOBILISE_DATABASE_URL": sqlite_url(mount / "s.db"),
            "MNT": str(mount),
            "SRC": str(fleet.folder / "s.db"),
            "MODE": mode,
            **env,
        },
        cwd=fleet.folder,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


@pytest.mark.parametrize("mode", ["full", "filling"])
async def test_send_due_on_a_full_disk_stops_with_one_line(tmp_path: Path, mode: str) -> None:
    async with fake_slack() as fake:
        fleet = Fleet(sqlite_url(tmp_path / "s.db"), "slack", fake, tmp_path)
        await fleet.import_volunteers(200)
        process = await in_namespace(fleet, mode, "send-due")
        _, err = await asyncio.wait_for(process.communicate(), 300)
    stderr = err.decode()
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr, stderr
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("mobilise send-due: the store's disk is full"), stderr
    assert "nothing more was saved" in last
    if mode == "full":  # full from the start: said at once, nothing sent
        assert len(stderr.strip().splitlines()) == 1, stderr
        assert fake.calls_to("chat.postMessage") == []


async def test_a_read_only_store_is_one_line_naming_the_file(tmp_path: Path) -> None:
    async with fake_slack() as fake:
        fleet = Fleet(sqlite_url(tmp_path / "s.db"), "slack", fake, tmp_path)
        await fleet.import_volunteers(3)
        process = await in_namespace(fleet, "readonly", "send-due")
        _, err = await asyncio.wait_for(process.communicate(), 120)
    stderr = err.decode()
    assert process.returncode != 0
    assert stderr.strip().splitlines() == [
        f"mobilise: the store {tmp_path / 'mnt' / 's.db'} cannot be written: the file is "
        "read-only. Make it writable for this user, or check MOBILISE_DATABASE_URL (or --db)"
    ], stderr
    assert "nobody reachable" not in stderr


async def test_a_slack_user_hears_nothing_was_saved_when_the_disk_fills(tmp_path: Path) -> None:
    port = free_port()
    async with fake_slack() as fake:
        fleet = Fleet(sqlite_url(tmp_path / "s.db"), "slack", fake, tmp_path)
        await fleet.import_volunteers(3)
        process = await in_namespace(
            fleet,
            "later",
            *serve_slack_http(port),
            SLACK_SIGNING_SECRET=slack.SECRET,
            PIDFILE=str(tmp_path / "pid"),
            GO=str(tmp_path / "go"),
            FILLED=str(tmp_path / "filled"),
        )
        try:
            await wait_until_up(f"http://127.0.0.1:{port}/health", within=120)
            (tmp_path / "go").touch()
            for _ in range(600):
                if (tmp_path / "filled").exists():
                    break
                await asyncio.sleep(0.1)
            body = slack.command_body(
                "nominate",
                'branch:"DWP Leeds" outcome:nominated',
                response_url=fake.response_url("full"),
                trigger="T-full",
            )
            form = "application/x-www-form-urlencoded"
            headers = {k: v[0] for k, v in slack.signed_headers(body, form).items()}
            async with (
                aiohttp.ClientSession() as session,
                session.post(
                    f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
                ) as response,
            ):
                status = response.status
            (call,) = await fake.wait_for("response_url:full", within=60)
        finally:
            pid = int((tmp_path / "pid").read_text()) if (tmp_path / "pid").exists() else None
            if pid is not None:
                with_signal(pid, signal.SIGTERM)
            _, err = await asyncio.wait_for(process.communicate(), 60)
    assert status == 200, err.decode()[-2000:]
    text = str(call.body.get("text", "")) + str(call.body.get("blocks", ""))
    assert "nothing was recorded" in text, call.body
    assert "Traceback" not in err.decode()


def with_signal(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
