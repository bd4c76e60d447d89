"""The demonstration moment: the terminal chat on a campaign that is already over.

A pack can name a moment inside its campaign (`demo_now` in campaign.yaml). When the
terminal chat starts with neither a moment (`--now`, MOBILISE_NOW) nor a store (`--db`,
MOBILISE_DATABASE_URL) chosen, and the campaign's ballot has closed, it runs from that
moment instead of today, on a store of its own next to the default one (`demo.db`),
started afresh each time: the records of a demonstration never mix with a campaign's,
and every demonstration starts the same.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.app import campaign_dir
from bot.campaign.dates import clock_time, short_day
from bot.campaign.loading import load_campaign
from bot.campaign.pack import Campaign
from bot.campaign.phases import phase_of
from bot.runtime.settings import Settings, find_env_file

DEMO_FILE = "demo.db"


@dataclass(frozen=True, slots=True)
class Demo:
    settings: Settings  # the clock at the moment, the store apart
    line: str  # says so, and how to change it


def store_chosen(db_option: str | None) -> bool:
    """Whether a store was named (--db, MOBILISE_DATABASE_URL): then it is used as it is."""
    if db_option:
        return True
    return "database_url" in Settings(_env_file=find_env_file()).model_fields_set  # type: ignore[call-arg]


def demo_for(
    settings: Settings, campaign: Campaign, chosen: bool = False, today: datetime | None = None
) -> Demo | None:
    """The demonstration to run instead (no moment and no store chosen, the campaign
    over), its store cleared for a fresh start; or None to run as configured."""
    moment = campaign.demo_now
    if settings.now is not None or moment is None or chosen:
        return None
    if phase_of(campaign, today or datetime.now(campaign.zone)) != "after":
        return None
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    assert url.database is not None
    store = Path(url.database).parent / DEMO_FILE
    for old in (store, *(store.with_name(store.name + end) for end in ("-wal", "-shm"))):
        old.unlink(missing_ok=True)
    demo = settings.model_copy(
        update={
            "now": moment.replace(tzinfo=None),
            "database_url": url.set(database=str(store)).render_as_string(hide_password=False),
        }
    )
    shown = f"{short_day(moment.date())} {moment.year} at {clock_time(moment)}"
    line = (
        f"This campaign is over, so this is a demonstration from {shown} (demo_now in "
        f"{campaign.root.name}/campaign.yaml), on a fresh store, {_near(store)}. "
        "Pick another moment with --now or MOBILISE_NOW."
    )
    return Demo(demo, line)


def demonstration(settings: Settings, db_option: str | None) -> tuple[Settings, Campaign, bool]:
    """The settings to run the terminal chat with, the pack, and whether it is a
    demonstration (then it says so, in one line on stderr)."""
    campaign = load_campaign(campaign_dir(settings))
    demo = demo_for(settings, campaign, store_chosen(db_option))
    if demo is None:
        return settings, campaign, False
    print(demo.line, file=sys.stderr)
    return demo.settings, campaign, True


def _near(path: Path) -> str:
    """The path as the person would type it: relative to where they are, if it is below."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
