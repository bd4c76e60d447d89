"""The campaign pack carries every statement, figure and name of the two source documents."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.campaign.loading import load_campaign
from bot.knowledge.coverage import (
    extract,
    lacking,
    load_list,
    load_statements,
    missing,
    statements,
    unlisted,
    unmapped,
    unused,
)
from bot.knowledge.units import MAX_ANSWER, build_language, build_units
from tests.conftest import CAMPAIGN

# The source documents live beside the repository (../shared/seeds), not in it;
# MOBILISE_SEEDS names another place for them.
SEEDS = Path(
    os.environ.get("MOBILISE_SEEDS")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
)
needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"the source documents are not at {SEEDS}"
)


def unit_texts(pack: Path) -> dict[str, str]:
    """What each unit of a pack says, with its title (a citation names the source), and
    each timetable event with its date spelt out."""
    campaign = load_campaign(pack)
    units = build_units(campaign, [], build_language(campaign, lexicon=False))
    texts = {u.key: f"{u.source_title} {u.text}" for u in units}
    for name, event in campaign.info.timetable.items():
        moment = campaign.moment(name)
        texts[f"timetable.{name}"] = f"{event.label} {moment.strftime('%-d %B %Y %A %H:%M')}"
    return texts


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


@needs_seeds
def test_the_list_is_complete_against_the_sources() -> None:
    sources = sorted(SEEDS.glob("*.txt"))
    assert len(sources) == 2
    assert unlisted(sources, CAMPAIGN) == []


def test_statements_are_lines_cut_into_sentences() -> None:
    text = (
        "• Begin talks on policy in Scotland, Wales and N. Ireland. Then more.\n"
        "Issue No. 2492\n\n"
        '"I hope so. It\'s about us." He said - yes!\n'
        "   \n"
    )
    assert statements(text) == [
        "Begin talks on policy in Scotland, Wales and N. Ireland.",
        "Then more.",
        "Issue No. 2492",
        '"I hope so.',
        "It's about us.",
        "He said - yes!",
    ]


@needs_seeds
def test_every_statement_of_the_sources_is_mapped() -> None:
    assert unmapped(SEEDS, CAMPAIGN) == []
    assert unused(SEEDS, CAMPAIGN) == []  # no entry names a statement the sources lack


@needs_seeds
def test_each_mapped_unit_holds_its_statements_figures_and_names() -> None:
    assert lacking(SEEDS, CAMPAIGN, unit_texts(CAMPAIGN)) == []


def test_left_out_statements_say_why_and_are_few() -> None:
    data = load_statements(CAMPAIGN)
    entries = [e for name in data["sources"] for e in data[name]]
    left_out = [e for e in entries if "left_out" in e]
    assert len(entries) >= 200  # the two documents hold about two hundred statements
    assert len(left_out) <= 25  # headings, page furniture, repeats, bare questions
    for entry in left_out:
        assert len(str(entry["left_out"])) > 15, entry
        assert "unit" not in entry, entry
    for entry in entries:
        fragment = str(entry.get("says") or entry.get("is") or entry.get("ends") or "")
        assert fragment.strip(), entry
        # A fragment names a statement; it is not the pack's text.
        assert len(fragment.split()) <= 15, entry


@needs_seeds
def test_the_map_notices_a_unit_that_loses_a_figure(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(CAMPAIGN, pack)
    path = pack / "background.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("42%", "a record"))
    found = lacking(SEEDS, pack, unit_texts(pack))
    assert found and all("42%" in line for line in found)
    assert any("bg:bg-thresholds#claim-1" in line for line in found)


@needs_seeds
def test_the_map_notices_a_statement_with_no_entry(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(CAMPAIGN, pack)
    path = pack / "statements.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["interview"] = [e for e in data["interview"] if e.get("says") != "My line is"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    assert unmapped(SEEDS, pack) == [
        "interview: My line is that there shouldn’t be a single reduction in anyone’s "
        "redundancy terms."
    ]


def test_every_unit_is_claim_sized() -> None:
    campaign = load_campaign(CAMPAIGN)
    units = build_units(campaign, [], build_language(campaign, lexicon=False))
    for unit in units:
        said = [unit.text, unit.pending, *(text for _, text in unit.revisions)]
        assert all(len(text) <= MAX_ANSWER for text in said), unit.key
    claims = [u for u in units if "#claim-" in u.key]
    assert len(claims) >= 50
    assert max(len(u.text) for u in claims) <= 300


def _runs(text: str, length: int) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9%']+", text.casefold().replace("’", "'"))
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


@needs_seeds
def test_the_interview_and_faq_are_in_the_packs_own_words() -> None:
    """Facts carry over from the sources, sentences do not: no run of ten words of the
    sources is in the interview items, their claims or the FAQ."""
    sources = set().union(*(_runs(p.read_text(encoding="utf-8"), 10) for p in SEEDS.glob("*.txt")))
    for name in ("background.yaml", "faq.yaml"):
        data = yaml.safe_load((CAMPAIGN / name).read_text(encoding="utf-8"))
        entries = data.get("items") or data.get("entries")
        for entry in entries:
            for text in [entry.get("text", ""), entry.get("answer", ""), *entry.get("claims", [])]:
                assert not (_runs(text, 10) & sources), (name, entry["id"], text)


def test_the_election_facts_name_units_that_exist() -> None:
    texts = unit_texts(CAMPAIGN)
    facts = load_statements(CAMPAIGN)["campaign_facts"]
    assert len(facts) >= 15
    for fact in facts:
        assert fact.get("unit") in texts or len(str(fact.get("left_out", ""))) > 20, fact
