"""Finding the branch someone means among some 200 branch names shaped like a
civil-service union's: whole words and rare words count for more than words many
branches share ("Office", "DWP"), typos and short forms still land, and several equally
good branches are offered as choices, with how many more there are."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.campaign.branches import Ambiguous, BranchDirectory
from bot.campaign.packfiles import parse_branch_csv
from bot.errors import UserError

LIST = Path(__file__).parent / "data" / "branches-realistic.csv"


@pytest.fixture(scope="module")
def directory() -> BranchDirectory:
    branches, problems = parse_branch_csv(LIST.read_text(encoding="utf-8"))
    assert not problems and len(branches) >= 200
    return BranchDirectory(branches)


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("met office exeter", "Met Office Exeter"),
        ("mo j manchester", "MoJ Manchester Courts"),
        ("moj manc", "MoJ Manchester Courts"),
        ("dwp leds", "DWP Leeds"),
        ("hmrc bottle", "HMRC Bootle"),
        ("home offfice sheffield", "Home Office Sheffield"),
        ("dwp londn central", "DWP London Central"),
        ("heathrow", "Border Force Heathrow"),
        ("passport office durham", "HM Passport Office Durham"),
        ("royal courts", "MoJ Royal Courts of Justice"),
        ("welsh gov aberystwyth", "Welsh Government Aberystwyth"),
        ("natural history museum", "Natural History Museum"),
        ("kew", "National Archives Kew"),
    ],
)
def test_one_branch_stands_out(directory: BranchDirectory, typed: str, name: str) -> None:
    assert directory.resolve(typed).name == name


@pytest.mark.parametrize(
    ("typed", "names", "more"),
    [
        ("Met Office", {"Met Office Aberdeen", "Met Office Bracknell", "Met Office Exeter"}, 0),
        ("cabinet office", {"Cabinet Office Glasgow", "Cabinet Office London"}, 0),
        ("exeter", {"DWP Exeter", "Met Office Exeter", "RPA Exeter"}, 0),
        ("dvla swansea contact", {"DVLA Swansea Contact Centre"}, 0),
    ],
)
def test_shared_words_do_not_pull_in_other_branches(
    directory: BranchDirectory, typed: str, names: set[str], more: int
) -> None:
    more_found = 0
    try:
        found = {directory.resolve(typed).name}
    except Ambiguous as ambiguous:
        found = {b.name for b in ambiguous.choices}
        more_found = ambiguous.more
    assert more_found == more
    assert names <= found
    # Only branches that have every word typed (or a close spelling of it) are offered.
    words = typed.lower().split()
    for name in found:
        assert all(any(w[:4] in part.lower() for part in name.split()) for w in words), name


def test_a_group_name_offers_its_branches_and_counts_the_rest(directory: BranchDirectory) -> None:
    with pytest.raises(Ambiguous) as raised:
        directory.resolve("dwp")
    dwp = [b for b in directory.branches if b.group == "DWP"]
    assert len(raised.value.choices) == 5
    assert raised.value.more == len(dwp) - 5
    assert all(b.group == "DWP" for b in raised.value.choices)


def test_the_branch_typed_most_fully_comes_first(directory: BranchDirectory) -> None:
    with pytest.raises(Ambiguous) as raised:
        directory.resolve("dvla swansee")
    assert raised.value.choices[0].name == "DVLA Swansea"


@pytest.mark.parametrize("typed", ["Narnia", "@everyone", "'; DROP TABLE branches; --"])
def test_nothing_close_is_a_clear_error(directory: BranchDirectory, typed: str) -> None:
    with pytest.raises(UserError, match="I can't find a branch called") as raised:
        directory.resolve(typed)
    assert not isinstance(raised.value, Ambiguous)
