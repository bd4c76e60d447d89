"""`mobilise rehearse`: the whole campaign, hour by hour, on a new store.

Without `--db` the rehearsal uses a temporary SQLite file, so it never touches the
campaign's real store; with `--db` the store must be new.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.app import campaign_dir
from bot.rehearse import Options
from bot.rehearse import rehearse as play
from bot.rehearse.experiments import parse_effect
from bot.rehearse.planted import PLANTS
from bot.rehearse.report import summary
from bot.rehearse.rules import read_pack
from bot.runtime.settings import Settings


async def rehearse(args: argparse.Namespace, settings: Settings) -> int:
    if args.supporters < 1:
        print("mobilise rehearse: --supporters must be at least 1", file=sys.stderr)
        return 2
    if args.plant is not None and args.plant not in PLANTS:
        print(
            f"mobilise rehearse: there is no planted bug {args.plant[:40]!r}; "
            f"known: {', '.join(PLANTS)}",
            file=sys.stderr,
        )
        return 2
    pack = read_pack(campaign_dir(settings), settings.zone)
    for effect in args.effect or ():
        try:
            parse_effect(effect, pack)
        except ValueError as error:
            print(f"mobilise rehearse: --effect {error}", file=sys.stderr)
            return 2
    # A rehearsal makes millions of short-lived objects and keeps few: collect the young
    # generation less often (about a tenth of its time otherwise goes on collecting).
    gc.set_threshold(20_000, 50, 100)
    options = Options(
        supporters=args.supporters,
        seed=args.seed,
        start=_zoned(args.start, settings),
        end=_zoned(args.end, settings),
        faults=args.faults,
        plant=args.plant,
        effects=tuple(args.effect or ()),
    )
    if args.db:
        url = make_url(args.db)
        if url.get_backend_name() == "sqlite" and _holds_something(Path(url.database or "")):
            print(
                f"mobilise rehearse: {url.database} already holds a store; rehearse needs a new "
                "one (leave out --db for a temporary one)",
                file=sys.stderr,
            )
            return 2
        result = await play(settings, options)
    else:
        with tempfile.TemporaryDirectory(prefix="mobilise-rehearse-") as folder:
            url_ = f"sqlite+aiosqlite:///{Path(folder) / 'rehearse.db'}"
            result = await play(settings.model_copy(update={"database_url": url_}), options)
    if args.json:
        print(json.dumps(result.__dict__))
    else:
        print(summary(result))
    return 1 if result.violations else 0


def _zoned(moment: datetime | None, settings: Settings) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=settings.zone)


def _holds_something(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0
