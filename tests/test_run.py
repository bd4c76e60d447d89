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
from tests.slack_process import serve_slack_http


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
            *serve_slack_http(port),
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


async def run_until_it_ends(env: dict[str, str], cwd: Path, *args: str) -> tuple[int, str, float]:
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *mobilise_command(),
        "run",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, stderr.decode(), time.monotonic() - started


def plain_environment(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    env["MOBILISE_DATABASE_URL"] = sqlite_url(tmp_path / "bot.db")
    env["MOBILISE_CAMPAIGN"] = str(CAMPAIGN)
    return env


async def test_bad_slack_tokens_are_one_line_naming_the_setting(tmp_path: Path) -> None:
    async with fake_slack() as slack:
        slack.bad_tokens.add("xoxb-bad")
        env = {
            **plain_environment(tmp_path),
            "SLACK_BOT_TOKEN": "xoxb-bad",
            "SLACK_APP_TOKEN": "xapp-bad",
            "SLACK_API_URL": f"{slack.base_url}api/",
        }
        code, stderr, seconds = await run_until_it_ends(env, tmp_path)
    assert code != 0
    assert seconds < 15  # the bound; it is a second or two
    lines = stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, stderr
    assert "SLACK_BOT_TOKEN" in lines[-1]
    assert "Traceback" not in stderr and "xoxb-bad" not in stderr


async def test_a_bad_discord_token_is_one_line_naming_the_setting(tmp_path: Path) -> None:
    async with fake_discord() as discord:
        discord.bad_tokens.add("bad-token")
        env = {
            **plain_environment(tmp_path),
            "DISCORD_TOKEN": "bad-token",
            "DISCORD_API_URL": discord.base_url,
        }
        code, stderr, seconds = await run_until_it_ends(env, tmp_path)
    assert code != 0
    assert seconds < 15
    lines = stderr.strip().splitlines()
    assert 1 <= len(lines) <= 3, stderr
    assert "DISCORD_TOKEN" in lines[-1]
    assert "Traceback" not in stderr


async def test_the_console_run_stops_within_seconds_of_sigterm(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *mobilise_command(),
        "run",
        env=plain_environment(tmp_path),
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,  # held open: the chat waits for a line
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write(b"when do nominations close?\n")
    await process.stdin.drain()
    answered = await asyncio.wait_for(process.stdout.readline(), 30)
    assert answered.strip()
    process.send_signal(signal.SIGTERM)
    stopped = time.monotonic()
    await asyncio.wait_for(process.wait(), 10)
    assert time.monotonic() - stopped < 5


async def test_the_console_run_serves_the_dashboard_and_prints_a_link(tmp_path: Path) -> None:
    port = free_port()
    environment = plain_environment(tmp_path) | {
        "MOBILISE_DASHBOARD_PORT": str(port),
        "MOBILISE_NOW": "2019-09-20T10:00",  # nominations are open: the tally comes first
    }
    process = await asyncio.create_subprocess_exec(
        *mobilise_command(),
        "run",
        "--organiser",
        "--as",
        "olive",
        env=environment,
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(b"/dashboard\n")
        await process.stdin.drain()
        link = ""
        while "/signin?token=" not in link:
            link = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        assert link.startswith(f"http://localhost:{port}/signin?token=")
        async with aiohttp.ClientSession() as session:
            async with session.get(link) as button:  # the link's page, with its button
                assert button.status == 200
                assert "Sign in to the dashboard" in await button.text()
            token = link.split("token=", 1)[1]
            signin = link.split("?", 1)[0]
            async with session.post(signin, data={"token": token}) as page:  # then the tally
                assert page.status == 200
                assert page.url.path == "/tally"
                assert page.headers["X-Frame-Options"] == "DENY"
                assert "Signed in as olive" in await page.text()
            async with session.get(link) as again:
                assert again.status == 403
            async with session.post(signin, data={"token": token}) as again:
                assert again.status == 403
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 15)
    assert process.stderr is not None
    said = (await process.stderr.read()).decode()
    assert f"the dashboard is at http://localhost:{port}" in said
    assert "token=" not in said  # the link is shown to the organiser only
