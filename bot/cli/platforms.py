"""What to paste into Slack and Discord: the app manifest and the command payload."""

from __future__ import annotations

import argparse
import json

import yaml

from bot.adapters.discord import DiscordAdapter
from bot.adapters.slack_blocks import manifest
from bot.app import open_runtime
from bot.settings import Settings
from commands import registry


async def slack_manifest(args: argparse.Namespace, settings: Settings) -> int:
    print(yaml.safe_dump(manifest(registry()), sort_keys=False, width=100), end="")
    return 0


async def discord_commands(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings) as runtime:
        adapter = DiscordAdapter(runtime.dispatcher, settings)
        print(json.dumps(adapter.payload(), indent=2, ensure_ascii=False))
        await adapter.client.close()
    return 0
