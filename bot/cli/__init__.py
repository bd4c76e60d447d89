"""The `mobilise` command line: run the bot, talk to it in a terminal, ask, export.

The parser is in `parser`; each group of sub-commands is a module of its own, loaded
only when one of its sub-commands runs, so the terminal chat never loads a platform SDK
or the scheduler. Global options (`--db`, `--campaign`, `--now`) override the settings
from the environment and `.env` for one run.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError

from bot.cli.parser import build_parser, settings_for
from bot.errors import PackError, StartupError, describe_os_error, describe_store_error
from bot.runtime.logs import configure_logging
from bot.runtime.settings import Settings, setting_names

log = logging.getLogger("mobilise")

Runner = Callable[[argparse.Namespace, Settings], Coroutine[Any, Any, int]]

# Sub-command -> the module that runs it (a function named after it, `-` as `_`).
GROUPS = {
    "run": "running",
    "console": "console",
    "send-due": "running",
    "schedule": "running",
    "rehearse": "rehearsing",
    "export": "data",
    "import-branches": "data",
    "import-volunteers": "data",
    "reconcile": "data",
    "purge": "data",
    "backup": "data",
    "chart": "data",
    "experiments": "data",
    "ask": "answers",
    "eval": "answers",
    "train": "answers",
    "faq-export": "answers",
    "slack-manifest": "platforms",
    "discord-commands": "platforms",
}


def runner_for(command: str) -> Runner:
    module = importlib.import_module(f"bot.cli.{GROUPS[command]}")
    runner: Runner = getattr(module, command.replace("-", "_"))
    return runner


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_for(args)
    except ValidationError as error:
        problem = error.errors()[0]
        names = ", ".join(dict.fromkeys(setting_names(error)))
        message = str(problem["msg"]).removeprefix("Value error, ")
        print(f"mobilise: bad setting {names}: {message}", file=sys.stderr)
        return 2
    if settings.cache is not None:  # the answer engine finds its cache folder here
        os.environ["MOBILISE_CACHE"] = str(settings.cache)
    serving = args.command == "run" and (settings.has_slack or settings.has_discord)
    configure_logging(settings, settings.log_level or ("INFO" if serving else "WARNING"))
    try:
        return asyncio.run(runner_for(args.command)(args, settings))
    except DBAPIError as error:  # the store failed while running: a full disk, say
        print(f"mobilise {args.command}: {describe_store_error(error)}", file=sys.stderr)
        return 1
    except OSError as error:  # a file named on the command line, a full disk
        print(f"mobilise {args.command}: {describe_os_error(error)}", file=sys.stderr)
        return 1
    except PackError as exc:
        print(f"mobilise: the campaign pack is malformed:\n{exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"mobilise: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # output piped into something that stopped reading
        sys.stderr.close()
        return 0
