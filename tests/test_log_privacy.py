"""No log line, at any level, holds a person's name, user id or question text.

A whole sign-up, meeting, report, question, data request and erasure runs at DEBUG, the
chattiest level, in real processes: the terminal chat, `run --slack-http` against the
fake Slack API, and `run` against the fake Discord API and gateway. Each log must be full
of DEBUG lines (from the store, the SQL engine, slack_sdk, slack_bolt, discord.py) and
hold none of the person's words.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import aiohttp

from tests import discord_harness as harness
from tests import slack_harness as slack
from tests.conftest import CAMPAIGN, mobilise_command, sqlite_url
from tests.fakes.discord_api import BOT_ID, fake_discord
from tests.fakes.slack_api import fake_slack
from tests.slack_process import post_signed, slack_http_bot

NAME = "Zanzibar Quillfeather"
NOMINEE = "Ottoline Vexworth"
QUESTION = "would the marmalade syndicate endorse quokkas"
SLACK_USER = "U7QX3ZK9W"
DISCORD_USER = "512345678901234567"
NOW = "2019-09-20T10:00"


def _flow() -> list[str]:
    return [
        "/volunteer branch:DWP-LEEDS consent:yes",
        "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep",
        f'/nominate branch:DWP-LEEDS outcome:other nominee:"{NOMINEE}"',
        QUESTION,
        "/mydata",
        "/forgetme",
    ]


def _assert_private(log: str, secrets: Iterable[str], loggers: Iterable[str]) -> None:
    assert log.count(" DEBUG ") > 5, log[-3000:]  # the test means something only at DEBUG
    for logger in loggers:
        assert f" DEBUG {logger}" in log or f" INFO {logger}" in log, logger
    lowered = log.lower()
    for secret in secrets:
        for part in {secret, *secret.split()}:
            if len(part) > 5:  # the words that could only come from the person
                where = lowered.find(part.lower())
                assert where < 0, f"{part!r} in the log: {log[max(0, where - 300) : where + 100]}"


def _environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    env.update(
        MOBILISE_DATABASE_URL=sqlite_url(tmp_path / "bot.db"),
        MOBILISE_CAMPAIGN=str(CAMPAIGN),
        MOBILISE_NOW=NOW,
        MOBILISE_LOG_LEVEL="DEBUG",
        **extra,
    )
    return env


async def test_the_console_logs_no_person(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *mobilise_command(),
        "console",
        "--as",
        NAME,
        env=_environment(tmp_path),
        cwd=tmp_path,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    lines = "\n".join(_flow()).encode() + b"\n"
    out, err = await asyncio.wait_for(process.communicate(lines), 120)
    assert process.returncode == 0, err.decode()[-2000:]
    assert "Erased" in out.decode() or "erased" in out.decode(), out.decode()[-1500:]
    _assert_private(err.decode(), (NAME, NOMINEE, QUESTION), ("sqlalchemy.engine",))


async def test_slack_over_http_logs_no_person(tmp_path: Path) -> None:
    env = {"MOBILISE_LOG_LEVEL": "DEBUG"}
    async with (
        fake_slack() as fake,
        slack_http_bot(fake, tmp_path, env=env, soft_descriptors=None) as bot,
        aiohttp.ClientSession() as session,
    ):
        for number, line in enumerate(_flow()):
            tag = f"step{number}"
            if line.startswith("/"):
                name, _, text = line[1:].partition(" ")
            else:
                name, text = "ask", line
            body = slack.command_body(
                name,
                text,
                user=SLACK_USER,
                user_name=NAME,
                response_url=fake.response_url(tag),
            )
            assert await post_signed(session, bot.url, body) == 200
            await fake.wait_for(f"response_url:{tag}", within=15)
        mention = slack.event_body(
            {
                "type": "app_mention",
                "user": SLACK_USER,
                "text": f"<@UBOT> {QUESTION}",
                "ts": "1.000100",
                "channel": "C1",
                "event_ts": "1.000100",
            }
        )
        assert await post_signed(session, bot.url, mention, "application/json") == 200
        await fake.wait_for("chat.postMessage", within=15)
    _assert_private(
        bot.log_text(),
        (NAME, NOMINEE, QUESTION, SLACK_USER),
        ("slack_sdk", "mobilise.slack"),
    )


def _interaction(name: str, options: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    return harness.command(name, options, user, guild=True)


async def test_discord_logs_no_person(tmp_path: Path) -> None:
    person = harness.member(DISCORD_USER, NAME)
    async with fake_discord() as fake:
        env = _environment(
            tmp_path,
            DISCORD_TOKEN="privacy-test-token",
            DISCORD_API_URL=fake.base_url,
            DISCORD_GUILD_IDS=harness.GUILD_ID,
            MOBILISE_SWEEP_SECONDS="3600",
        )
        log = tmp_path / "bot.log"
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                *mobilise_command(),
                "run",
                env=env,
                cwd=tmp_path,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=stderr,
            )
        try:
            await fake.wait_for("GATEWAY IDENTIFY", within=30)
            await asyncio.sleep(0.5)
            await fake.push("GUILD_CREATE", harness.guild())
            steps: list[tuple[str, dict[str, Any]]] = [
                ("volunteer", {"branch": "DWP-LEEDS", "consent": "yes"}),
                ("meeting", {"branch": "DWP-LEEDS", "date": "30 Sep", "notice": "16 Sep"}),
                ("nominate", {"branch": "DWP-LEEDS", "outcome": "other", "nominee": NOMINEE}),
                ("ask", {"question": QUESTION}),
                ("mydata", {}),
                ("forgetme", {}),
            ]
            for number, (name, options) in enumerate(steps, 1):
                await fake.push("INTERACTION_CREATE", _interaction(name, options, person))
                await fake.wait_for("POST /interactions/{id}/{token}/callback", number, within=20)
            bot = {"id": BOT_ID, "username": "mobilise", "discriminator": "0", "avatar": None}
            await fake.push(
                "MESSAGE_CREATE",
                harness.message(f"<@{BOT_ID}> {QUESTION}", person, guild=True, mentions=[bot]),
            )
            await fake.wait_for("POST /channels/{id}/messages", within=20)
        finally:
            process.terminate()
            await asyncio.wait_for(process.wait(), 30)
    text = log.read_text(encoding="utf-8", errors="replace")
    _assert_private(
        text,
        (NAME, NOMINEE, QUESTION, DISCORD_USER),
        ("discord.http", "discord.gateway"),
    )
    assert re.search(r"WebSocket Event: …", text)  # the gateway's events were there, emptied
