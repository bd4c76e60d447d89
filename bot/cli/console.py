"""`mobilise console`: talk to the bot in the terminal (no reminders, no platforms)."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.adapters.console import Console
from bot.app import open_runtime
from bot.cli.stopping import until_stopped
from bot.settings import Settings

log = logging.getLogger("mobilise")


async def console(args: argparse.Namespace, settings: Settings) -> int:
    # The answer engine (and its sentence model) is built off the path to the first
    # reply: in the background while someone types, or at the first question when the
    # input is piped.
    async with open_runtime(settings, answers=False) as runtime:
        if sys.stdin.isatty():
            runtime.services.warm_answers()
        if runtime.services.campaign.info.branches.sample:
            log.warning("the branch list is sample data: replace it before the campaign")
        console = Console(runtime.dispatcher, args.name, args.organiser)
        runtime.services.outbox.attach(console)
        await until_stopped(console.run())
    return 0
