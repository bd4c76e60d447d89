"""`mobilise rehearse`: whole campaigns, checked hour by hour by the independent oracle.

Seeds 1 to 20 at 300 supporters must rehearse with no violations: a few here in the
ordinary run, the rest in the test marked slow (which CI runs too). A planted bug shows
that the oracle is not vacuous, and the command line prints one JSON object.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from bot.rehearse import Options, rehearse
from bot.rehearse.crowd import Crowd
from bot.rehearse.rules import read_pack
from bot.settings import Settings
from tests.conftest import CAMPAIGN, LONDON, mobilise_command, sqlite_url

FAST_SEEDS = (1, 2, 3)
SLOW_SEEDS = tuple(range(4, 21))
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
async def test_the_oracle_catches_a_planted_bug(tmp_path: Path) -> None:
    start = datetime(2019, 9, 1, 0, 0, tzinfo=LONDON)
    end = datetime(2019, 10, 1, 0, 0, tzinfo=LONDON)
    # The crowd reports at least one result before its meeting: the planted bug counts it.
    pack = read_pack(CAMPAIGN, LONDON, (datetime.min.time(), datetime.max.time()))
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
