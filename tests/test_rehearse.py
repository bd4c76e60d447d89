"""`mobilise rehearse`: whole campaigns, checked hour by hour by the independent oracle.

Seeds 1 to 20 at 300 supporters must rehearse with no violations: a few here in the
ordinary run, the rest in the test marked slow (which CI runs too). Every planted bug is
caught, on the day its edge happens (fast) and with the default settings (slow), so the
oracle is not vacuous; the crowd acts out every edge of the counting rules whatever the
seed; and the command line prints one JSON object.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from bot.rehearse import Options, rehearse
from bot.rehearse.crowd import Crowd
from bot.rehearse.planted import PLANTS
from bot.rehearse.rules import read_pack
from bot.runtime.settings import Settings
from tests.conftest import CAMPAIGN, LONDON, mobilise_command, sqlite_url

FAST_SEEDS = (1,)
SLOW_SEEDS = tuple(range(2, 21))
SEED_TIMEOUT = 600  # seconds for one whole campaign at 300 supporters on a busy machine


def settings_in(tmp_path: Path) -> Settings:
    return Settings(database_url=sqlite_url(tmp_path / "rehearse.db"), campaign=CAMPAIGN)


async def whole_campaign(tmp_path: Path, seed: int) -> None:
    result = await rehearse(settings_in(tmp_path), Options(supporters=300, seed=seed))
    assert result.violations == []
    assert result.hours > 24 * 150  # a week before the opening to a month after the purge
    assert result.messages > 300 and result.commands > 1000
    assert set(result.messages_by_phase) >= {"nominations", "ballot"}


@pytest.mark.timeout(SEED_TIMEOUT)
@pytest.mark.parametrize("seed", FAST_SEEDS)
async def test_whole_campaign(tmp_path: Path, seed: int) -> None:
    await whole_campaign(tmp_path, seed)


@pytest.mark.slow
@pytest.mark.timeout(SEED_TIMEOUT)
@pytest.mark.parametrize("seed", SLOW_SEEDS)
async def test_whole_campaign_more_seeds(tmp_path: Path, seed: int) -> None:
    await whole_campaign(tmp_path, seed)


@pytest.mark.timeout(SEED_TIMEOUT)
@pytest.mark.slow  # each plant is also caught on the day its edge happens, in the fast tier
async def test_the_oracle_catches_a_planted_bug(tmp_path: Path) -> None:
    start = datetime(2019, 9, 1, 0, 0, tzinfo=LONDON)
    end = datetime(2019, 10, 1, 0, 0, tzinfo=LONDON)
    # The crowd reports at least one result before its meeting: the planted bug counts it.
    pack = read_pack(CAMPAIGN, LONDON)
    early = [
        a
        for a in Crowd(pack, 150, 5, start).actions
        if a.kind == "nominate"
        and a.data["outcome"] == "nominated"
        and a.at < end
        and a.at.date() < a.data["date"]  # type: ignore[operator]
    ]
    assert early, "the crowd should report a nomination before its meeting"
    window = {"supporters": 150, "seed": 5, "start": start, "end": end}
    clean = await rehearse(settings_in(tmp_path / "clean"), Options(**window))  # type: ignore[arg-type]
    assert clean.violations == []
    planted = await rehearse(
        settings_in(tmp_path / "planted"),
        Options(**window, plant="count-future-meetings"),  # type: ignore[arg-type]
    )
    assert planted.violations
    assert any("by the rules" in v for v in planted.violations)


def test_the_crowd_acts_out_every_edge_of_the_rules() -> None:
    pack = read_pack(CAMPAIGN, LONDON)
    actions = Crowd(pack, 300, 11, pack.open - timedelta(days=7)).actions
    close = pack.close.astimezone(LONDON)
    forms = {a.at for a in actions if a.kind == "formsent"}
    assert close - timedelta(minutes=1) in forms and close + timedelta(minutes=1) in forms
    meetings = [a for a in actions if a.kind == "meeting"]
    assert any(a.data["date"] < pack.open.date() for a in meetings)  # type: ignore[operator]
    held: dict[str, date] = {a.branch: a.data["date"] for a in meetings}  # type: ignore[misc]
    early = [a for a in actions if a.kind == "formsent" and a.at.date() < held[a.branch]]
    assert early, "a form before its meeting"
    assert any(
        a.kind == "formsent"
        and a.data.get("date", a.at.date()) < held[a.branch]  # type: ignore[operator]
        and a.at.date() > held[a.branch]
        for a in actions
    ), "a form dated before its meeting, reported after it"
    too_soon = [a for a in actions if a.kind == "verify" and a.at.date() < held[a.branch]]
    assert too_soon, "a result verified before its meeting"
    changed = [
        a
        for a in actions
        if a.kind == "nominate"
        and a.data["outcome"] == "other"
        and any(v.kind == "verify" and v.branch == a.branch and v.at < a.at for v in actions)
    ]
    assert changed, "an outcome changed after verification"
    (replaced,) = [a for a in actions if a.kind == "branches"]
    assert pack.open < replaced.at < pack.close, "the branch list replaced during nominations"
    listed = {b.code for b in replaced.data["branches"]}  # type: ignore[attr-defined]
    retired = {b.code for b in pack.branches} - listed
    counted_before = {
        a.branch
        for a in actions
        if a.kind == "formsent" and a.branch in retired and a.at < replaced.at
    }
    assert counted_before, "a branch with a nomination and its form leaves the list"
    new = listed - {b.code for b in pack.branches}
    assert any(a.kind == "volunteer" and a.branch in new for a in actions), "new ones join"


async def test_a_planted_late_deadline_is_caught_at_the_close(tmp_path: Path) -> None:
    """The fast one of the plants below: a day around the close is enough to see it."""
    window = {
        "supporters": 40,
        "seed": 2,
        "start": datetime(2019, 10, 14, 0, 0, tzinfo=LONDON),
        "end": datetime(2019, 10, 15, 0, 0, tzinfo=LONDON),
    }
    clean = await rehearse(settings_in(tmp_path / "clean"), Options(**window))  # type: ignore[arg-type]
    assert clean.violations == []
    planted = await rehearse(
        settings_in(tmp_path / "planted"),
        Options(**window, plant="deadline-by-date"),  # type: ignore[arg-type]
    )
    assert any("by the rules" in v for v in planted.violations), planted.violations


# The day each plant shows itself on, in a short window: the crowd's edges are there
# whatever the seed (actions before the window happen at its start).
PLANT_DAYS = {
    "meeting-before-opening": date(2019, 8, 31),
    "form-before-meeting": date(2019, 9, 9),
    "future-result-counted": date(2019, 9, 10),
    "count-future-meetings": date(2019, 9, 10),
    "threshold-shown": date(2019, 9, 10),
    "replace-loses-nominations": date(2019, 9, 23),
    "reminder-after-result": date(2019, 9, 22),
}


@pytest.mark.timeout(SEED_TIMEOUT)
@pytest.mark.parametrize("plant", sorted(PLANT_DAYS))
async def test_a_plant_is_caught_on_its_day(tmp_path: Path, plant: str) -> None:
    start = datetime.combine(PLANT_DAYS[plant], datetime.min.time(), tzinfo=LONDON)
    window = {"supporters": 40, "seed": 3, "start": start, "end": start + timedelta(days=1)}
    planted = await rehearse(settings_in(tmp_path), Options(**window, plant=plant))  # type: ignore[arg-type]
    assert planted.violations


@pytest.mark.slow
@pytest.mark.timeout(SEED_TIMEOUT)
@pytest.mark.parametrize("plant", PLANTS)
def test_every_plant_is_caught_with_the_default_settings(tmp_path: Path, plant: str) -> None:
    db = sqlite_url(tmp_path / "r.db")
    command = [*mobilise_command(), "--db", db, "--campaign", str(CAMPAIGN), "rehearse"]
    done = subprocess.run(
        [*command, "--plant", plant, "--json"],
        capture_output=True,
        text=True,
        timeout=SEED_TIMEOUT,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    result = json.loads(done.stdout)
    assert result["violations"]


@pytest.mark.timeout(SEED_TIMEOUT)
async def test_faults_lose_and_double_nothing(tmp_path: Path) -> None:
    options = Options(
        supporters=200,
        seed=7,
        start=datetime(2019, 9, 23, 0, 0, tzinfo=LONDON),
        end=datetime(2019, 9, 27, 0, 0, tzinfo=LONDON),
        faults=True,
    )
    result = await rehearse(settings_in(tmp_path), options)
    assert result.violations == []
    assert result.faults["kills"] == 3 and result.faults["restarts"] == 4
    assert result.messages > 0


def test_the_command_prints_one_json_object(tmp_path: Path) -> None:
    db = sqlite_url(tmp_path / "r.db")
    command = [*mobilise_command(), "--db", db, "--campaign", str(CAMPAIGN), "rehearse"]
    window = ["--from", "2019-09-28T00:00", "--to", "2019-10-02T00:00"]
    done = subprocess.run(
        [*command, "--seed", "2", "--supporters", "40", *window, "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (line,) = done.stdout.splitlines()
    result = json.loads(line)
    for key in ("supporters", "hours", "commands", "messages", "threshold_reached_on", "seconds"):
        assert key in result
    assert result["supporters"] == 40 and result["hours"] == 96
    assert result["violations"] == []
    again = subprocess.run(
        [*command, *window], capture_output=True, text=True, timeout=120, check=False
    )
    assert again.returncode == 2
    assert "rehearse needs a new one" in again.stderr


def test_the_help_names_every_plant() -> None:
    from bot.cli.parser import build_parser
    from bot.rehearse.planted import PLANTS

    rehearse = build_parser()._subparsers._group_actions[0].choices["rehearse"]  # type: ignore[union-attr]
    help_text = next(a.help for a in rehearse._actions if "--plant" in a.option_strings)
    assert help_text is not None
    assert [p for p in PLANTS if p not in help_text] == []
