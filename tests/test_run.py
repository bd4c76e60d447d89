"""`mobilise run` as a real process, serving Slack and Discord against their fake APIs."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from pathlib import Path

import aiohttp

from tests.conftest import CAMPAIGN, mobilise_command, sqlite_url
from tests.fakes.discord_api import fake_discord
from tests.fakes.slack_api import fake_slack
from tests.slack_harness import SECRET


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def wait_until_up(url: str, within: float = 20.0) -> None:
    deadline = time.monotonic() + within
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(url)
            await asyncio.sleep(0.1)


async def test_run_serves_both_platforms_with_one_login_each(tmp_path: Path) -> None:
    async with fake_slack() as slack, fake_discord() as discord:
        port = free_port()
        env = {
            **os.environ,
            "MOBILISE_DATABASE_URL": sqlite_url(tmp_path / "bot.db"),
            "MOBILISE_CAMPAIGN": str(CAMPAIGN),
            "MOBILISE_NOW": "2019-09-20T10:00",
            "MOBILISE_SWEEP_SECONDS": "0.5",
            "MOBILISE_ORGANISERS": "slack:UORG,discord:500000000000000009",
            "SLACK_BOT_TOKEN": "xoxb-run-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": f"{slack.base_url}api/",
            "DISCORD_TOKEN": "run-test-token",
            "DISCORD_API_URL": discord.base_url,
        }
        process = await asyncio.create_subprocess_exec(
            *mobilise_command(),
            "run",
            "--slack-http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await wait_until_up(f"http://127.0.0.1:{port}/health")
            await discord.wait_for("GATEWAY IDENTIFY", within=20)
            # The organisers' digest (08:30, within the catch-up window) goes out on both
            # platforms, through the same clients that serve interactions.
            await discord.wait_for("POST /channels/{id}/messages", within=20)
            await slack.wait_for("chat.postMessage", within=20)
            await asyncio.sleep(1.5)  # a few more sweeps
            assert len(slack.calls_to("auth.test")) == 1
            assert len(discord.calls_to("GET /users/@me")) == 1
            assert len(discord.calls_to("GATEWAY IDENTIFY")) == 1
            synced = [c for c in discord.calls if c.route.startswith("PUT /applications/")]
            assert len(synced) == 1
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 15)
        assert process.returncode == 0, stderr.decode()[-2000:]
