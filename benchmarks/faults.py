"""How soon `mobilise run` gives up or stops when a platform cannot be reached, measured
from outside with real processes against the local fake Slack API and closed ports.

- Slack's Web API unreachable: seconds from start to a non-zero exit, and stderr lines;
- Discord's API unreachable: the same;
- Socket Mode's websocket unreachable: seconds from SIGTERM (and SIGINT) to exit, while
  the bot is retrying with backoff.

The issue's bounds are 15 s to exit and 5 s to stop. Prints JSON.

    .venv/bin/python benchmarks/faults.py
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import fake_slack  # noqa: E402

CLOSED = "http://127.0.0.1:9/"  # the discard port: nothing listens on it
SLACK = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_APP_TOKEN": "xapp-bench"}  # made up
DISCORD = {"DISCORD_TOKEN": "bench"}  # made up


def environment(folder: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    env["MOBILISE_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder / 'bot.db'}"
    env["MOBILISE_CAMPAIGN"] = str(ROOT / "campaign")
    return {**env, **extra}


async def start(folder: Path, **extra: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=environment(folder, **extra),
        cwd=folder,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def until_exit(folder: Path, **extra: str) -> dict[str, object]:
    started = time.monotonic()
    process = await start(folder, **extra)
    _, err = await process.communicate()
    return {
        "seconds_to_exit": round(time.monotonic() - started, 2),
        "exit_code": process.returncode,
        "stderr_lines": len(err.decode().strip().splitlines()),
    }


async def socket_mode_stop(folder: Path, sig: signal.Signals) -> dict[str, object]:
    async with fake_slack() as fake:
        fake.socket_url = "ws://127.0.0.1:9/link"
        process = await start(
            folder,
            **SLACK,
            SLACK_API_URL=f"{fake.base_url}api/",
        )
        await fake.wait_for("apps.connections.open", count=3, within=120)
        process.send_signal(sig)
        stopped = time.monotonic()
        _, err = await process.communicate()
        return {
            "seconds_to_stop": round(time.monotonic() - stopped, 2),
            "exit_code": process.returncode,
            "attempts_logged": err.decode().count("Socket Mode websocket"),
        }


async def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mobilise-faults-") as name:
        folder = Path(name)
        report = {
            "slack_unreachable": await until_exit(
                folder,
                **SLACK,
                SLACK_API_URL=f"{CLOSED}api/",
                MOBILISE_LOG_LEVEL="WARNING",
            ),
            "discord_unreachable": await until_exit(
                folder, **DISCORD, DISCORD_API_URL=f"{CLOSED}api/v10"
            ),
            "socket_mode_sigterm": await socket_mode_stop(folder, signal.SIGTERM),
            "socket_mode_sigint": await socket_mode_stop(folder, signal.SIGINT),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
