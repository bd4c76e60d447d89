"""The campaign pack carries every figure and name of the two source documents."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.knowledge.coverage import extract, load_list, missing, unlisted
from tests.conftest import CAMPAIGN

# The source documents live beside the repository (shared/seeds), not in it.
SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"


def test_every_listed_figure_and_name_is_in_the_pack() -> None:
    listed = load_list(CAMPAIGN)
    assert len(listed) >= 90  # the two documents state about a hundred
    assert missing(CAMPAIGN) == []


def test_every_left_out_term_says_why() -> None:
    for term, item in load_list(CAMPAIGN).items():
        if "excluded" in item:
            assert len(str(item["excluded"])) > 20, term
    left_out = [t for t, item in load_list(CAMPAIGN).items() if "excluded" in item]
    assert len(left_out) <= 15  # a few, each with its reason


def test_the_check_notices_a_fact_taken_out(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    for path in CAMPAIGN.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        if path.name != "coverage.yaml":
            text = text.replace("42%", "some")
        (pack / path.name).write_text(text)
    assert missing(pack) == ["42%"]


def test_extraction_finds_figures_and_names() -> None:
    text = (
        "In a DVSA ballot 92 percent backed strikes on a 65% turnout, Bob Crow said on 14 October."
    )
    terms = {t.term: t.kind for t in extract(text, not_names=["In"])}
    assert terms == {
        "92%": "figure",
        "65%": "figure",
        "14 October": "figure",
        "DVSA": "name",
        "Bob Crow": "name",
        "October": "name",
    }


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the source documents are not at {SEEDS}")
def test_the_list_is_complete_against_the_sources() -> None:
    sources = sorted(SEEDS.glob("*.txt"))
    assert len(sources) == 2
    assert unlisted(sources, CAMPAIGN) == []
