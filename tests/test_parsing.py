"""Reading what people type: command lines, dates, branch names."""

from __future__ import annotations

from datetime import date, time

import pytest

from bot.campaign.branches import BranchDirectory
from bot.campaign.dates import clock_time, parse_clock, parse_date
from bot.campaign.loading import load_campaign
from bot.dispatch.cmdline import parse_options, split_command
from bot.errors import UserError
from commands import registry
from tests.conftest import CAMPAIGN, SEPT_20

COMMANDS = registry()


def options(line: str) -> dict[str, str]:
    name, rest = split_command(line)
    command = COMMANDS.get(name)
    assert command is not None
    return parse_options(command, rest)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '/nominate branch:"DWP Leeds" outcome:nominated',
            {"branch": "DWP Leeds", "outcome": "nominated"},
        ),
        (
            "/nominate branch:DWP Leeds outcome:nominated date:1 Oct",
            {"branch": "DWP Leeds", "outcome": "nominated", "date": "1 Oct"},
        ),
        (
            "/NOMINATE   branch:“DWP Leeds”  outcome:other nominee:Jo O'Brien",
            {"branch": "DWP Leeds", "outcome": "other", "nominee": "Jo O'Brien"},
        ),
        (
            "/ask what's Mark's view on pay: is it good?",
            {"question": "what's Mark's view on pay: is it good?"},
        ),
        ("/ask question:when is the ballot", {"question": "when is the ballot"}),
        ('/ask question:"what does branch: mean"', {"question": "what does branch: mean"}),
        ("/volunteer DWP Leeds", {"branch": "DWP Leeds"}),
        ("/progress", {}),
    ],
)
def test_command_lines(line: str, expected: dict[str, str]) -> None:
    assert options(line) == expected


def test_not_a_command() -> None:
    with pytest.raises(ValueError, match="not a command"):
        split_command("hello")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-10-01", date(2019, 10, 1)),
        ("1 Oct", date(2019, 10, 1)),
        ("1 October", date(2019, 10, 1)),
        ("1st October 2019", date(2019, 10, 1)),
        ("Tue 1 Oct", date(2019, 10, 1)),
        ("Tuesday, 1 October", date(2019, 10, 1)),
        ("1/10/2019", date(2019, 10, 1)),
        ("1/10", date(2019, 10, 1)),
        ("30 sept", date(2019, 9, 30)),
        ("October 1", date(2019, 10, 1)),
    ],
)
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text, 2019) == expected


@pytest.mark.parametrize(
    "text", ["", "soon", "31 Sep", "2019-13-01", "32/1/2019", "1" * 50, "29 Feb"]
)
def test_bad_dates(text: str) -> None:
    with pytest.raises(UserError):
        parse_date(text, 2019)


def test_leap_day_without_a_year() -> None:
    assert parse_date("29 Feb", 2020) == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12:30", time(12, 30)),
        ("12.30", time(12, 30)),
        ("18:00", time(18, 0)),
        ("0:15", time(0, 15)),
        ("6pm", time(18, 0)),
        ("6.30 pm", time(18, 30)),
        ("6:30PM", time(18, 30)),
        ("7 p.m.", time(19, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("9am", time(9, 0)),
        ("noon", time(12, 0)),
        (" Midday ", time(12, 0)),
    ],
)
def test_times_of_day(text: str, expected: time) -> None:
    assert parse_clock(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("6", "is that am or pm?"),
        ("13pm", "with am or pm the hour is 1 to 12"),
        ("24:00", "is not a time of day"),
        ("12:60", "is not a time of day"),
        ("lunchtime", "I couldn't read 'lunchtime' as a time"),
        ("", "Please give a time"),
        ("1" * 21, "too long to be a time"),
    ],
)
def test_bad_times_of_day(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_clock(text)


def test_clock_time() -> None:
    assert clock_time(SEPT_20.replace(hour=17)) == "5pm"
    assert clock_time(SEPT_20.replace(hour=12)) == "12 noon"
    assert clock_time(SEPT_20.replace(hour=9, minute=30)) == "9:30am"


@pytest.fixture(scope="module")
def directory() -> BranchDirectory:
    return BranchDirectory(load_campaign(CAMPAIGN).branches)


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("DWP Leeds", "DWP-LEEDS"),
        ("dwp leeds", "DWP-LEEDS"),
        ("dwp-leeds", "DWP-LEEDS"),
        ("DWP Leds", "DWP-LEEDS"),
        ("hmrc bootle", "HMRC-BOOT"),
        ("Bootle", "HMRC-BOOT"),
        ("national gallery", "CULT-NG"),
        ("DVLA swansee", "DVLA-SWAN"),
        ("MoJ Manchester", "MOJ-MANC"),
        ("Cardiff and Vale", "DWP-CARD"),
    ],
)
def test_branch_matching(directory: BranchDirectory, typed: str, code: str) -> None:
    assert directory.resolve(typed).code == code


@pytest.mark.parametrize("typed", ["Leeds", "Cardiff", "Sheffield"])
def test_ambiguous_branches_ask_which(directory: BranchDirectory, typed: str) -> None:
    with pytest.raises(UserError, match="Which branch did you mean"):
        directory.resolve(typed)


@pytest.mark.parametrize("typed", ["Atlantis", "'; DROP TABLE branches; --", "@everyone"])
def test_unknown_branches(directory: BranchDirectory, typed: str) -> None:
    with pytest.raises(UserError, match="I can't find a branch called"):
        directory.resolve(typed)


def test_search_is_best_first_and_bounded(directory: BranchDirectory) -> None:
    found = directory.search("leeds", limit=25)
    assert 0 < len(found) <= 25
    assert {b.code for b in found[:3]} == {"DWP-LEEDS", "HMRC-LEEDS", "COMM-INTER"}
    assert directory.search("dwp leds")[0].code == "DWP-LEEDS"
