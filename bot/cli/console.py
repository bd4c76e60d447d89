"""`mobilise console`: talk to the bot in the terminal (no reminders, no platforms)."""

from __future__ import annotations

import argparse
import logging
import sys

from bot.adapters.console import Console
from bot.app import open_runtime, warn_if_sample
from bot.cli.demo import demonstration
from bot.cli.stopping import until_stopped
from bot.runtime.settings import Settings

log = logging.getLogger("mobilise")


async def console(args: argparse.Namespace, settings: Settings) -> int:
    settings, campaign, demo = demonstration(settings, args.db)
    # The answer engine (and its sentence model) is built off the path to the first
    # reply: in the background while someone types, or at the first question when the
    # input is piped.
    async with open_runtime(settings, campaign=campaign, answers=False) as runtime:
        if sys.stdin.isatty():
            runtime.services.warm_answers()
        if not demo:  # a demonstration is on the sample list by design
            await warn_if_sample(runtime.services)
        console = Console(runtime.dispatcher, args.name, args.organiser)
        runtime.services.outbox.attach(console)
        await until_stopped(console.run())
    return 0
