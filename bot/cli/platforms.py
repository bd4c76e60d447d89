"""What to paste into Slack and Discord: the app manifest and the command payload."""

from __future__ import annotations

import argparse
import json
import sys
from urllib.parse import urlsplit

import yaml

from bot.adapters.discord import DiscordAdapter
from bot.adapters.slack_blocks import manifest
from bot.adapters.slack_http import PATH as SLACK_EVENTS
from bot.app import open_runtime
from bot.runtime.settings import Settings
from commands import registry


async def slack_manifest(args: argparse.Namespace, settings: Settings) -> int:
    url = args.http
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            print(
                f"mobilise slack-manifest: --http needs the endpoint's address, like "
                f"https://bot.example.org{SLACK_EVENTS}, not {url[:80]!r}",
                file=sys.stderr,
            )
            return 2
        if parts.path in ("", "/"):  # the host alone: the bot's endpoint on it
            url = parts._replace(path=SLACK_EVENTS).geturl()
    found = manifest(registry(), prefix=settings.command_prefix, http=url)
    print(yaml.safe_dump(found, sort_keys=False, width=100), end="")
    return 0


async def discord_commands(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings, answers=False) as runtime:
        adapter = DiscordAdapter(runtime.dispatcher, settings)
        print(json.dumps(adapter.payload(), indent=2, ensure_ascii=False))
        await adapter.client.close()
    return 0
