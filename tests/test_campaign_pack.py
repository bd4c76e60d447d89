"""The campaign pack loads, and a malformed one says which file, where, and what is wrong."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest

from bot.campaign.loading import load_campaign
from bot.campaign.packfiles import parse_branch_csv
from bot.errors import PackError
from tests.conftest import CAMPAIGN, LONDON


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(CAMPAIGN, target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    text = path.read_text()
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text)
    if not new:
        return 0
    return next(n for n, line in enumerate(text.splitlines(), 1) if new.splitlines()[0] in line)


def test_default_pack_loads() -> None:
    campaign = load_campaign(CAMPAIGN)
    assert campaign.candidate.name == "Mark Serwotka"
    assert campaign.candidate.post == "General Secretary"
    assert campaign.nominations_open == datetime(2019, 9, 2, tzinfo=LONDON)
    assert campaign.nominations_close == datetime(2019, 10, 14, 17, 0, tzinfo=LONDON)
    assert campaign.ballot_open == datetime(2019, 11, 7, tzinfo=LONDON)
    assert campaign.ballot_close == datetime(2019, 12, 12, 12, 0, tzinfo=LONDON)
    assert campaign.rules.nomination_threshold == 15
    assert campaign.rules.notice_days == 14
    assert campaign.rules.nominations_per_branch_per_post == 1
    assert str(campaign.notice_cutoff) == "2019-09-30"
    assert {s.id for s in campaign.sections} >= {
        "rebuilding-power",
        "new-challenges",
        "private-sector",
        "devolved-nations",
        "equality",
        "politics",
    }
    assert len(campaign.branches) >= 24
    assert campaign.info.branches.sample is True
    assert campaign.info.contact.email == "info@electserwotka.com"
    assert len(campaign.steps.steps) >= 4 and campaign.faq


def test_missing_file(pack: Path) -> None:
    (pack / "manifesto.yaml").unlink()
    with pytest.raises(PackError, match=r"manifesto.yaml: the file is missing"):
        load_campaign(pack)


def test_yaml_syntax_error_names_the_line(pack: Path) -> None:
    line = edit(pack / "faq.yaml", "  - id: threshold", "  - id: [threshold")
    with pytest.raises(PackError) as error:
        load_campaign(pack)
    assert "faq.yaml, line" in str(error.value)
    reported = int(str(error.value).split("line ")[1].split(",")[0])
    assert line <= reported <= line + 3


def test_wrong_type_names_line_and_key(pack: Path) -> None:
    line = edit(pack / "campaign.yaml", "  notice_days: 14", "  notice_days: a fortnight")
    with pytest.raises(PackError) as error:
        load_campaign(pack)
    assert (
        f"campaign.yaml, line {line} (rules.notice_days): Input should be a valid integer"
        in str(error.value)
    )


def test_missing_timetable_event(pack: Path) -> None:
    edit(
        pack / "campaign.yaml",
        "  ballot_open:\n    at: 2019-11-07\n    label: Ballot opens (postal ballot papers go out)\n",
        "",
    )
    with pytest.raises(PackError, match=r"timetable\): Value error, missing ballot_open"):
        load_campaign(pack)


def test_timetable_out_of_order(pack: Path) -> None:
    edit(pack / "campaign.yaml", "at: 2019-11-07", "at: 2019-10-01")
    with pytest.raises(
        PackError, match=r"timetable\.ballot_open: must come after nominations_close"
    ):
        load_campaign(pack)


def test_unknown_key_is_refused(pack: Path) -> None:
    line = edit(pack / "manifesto.yaml", "    title: Equality", "    titel: Equality")
    with pytest.raises(PackError) as error:
        load_campaign(pack)
    assert f"manifesto.yaml, line {line} (sections.5.titel): Extra inputs are not permitted" in str(
        error.value
    )


def test_duplicate_section_id(pack: Path) -> None:
    edit(pack / "manifesto.yaml", "  - id: equality", "  - id: politics")
    with pytest.raises(PackError, match=r"id 'politics' is used twice"):
        load_campaign(pack)


def test_unknown_template_field(pack: Path) -> None:
    edit(pack / "faq.yaml", "{threshold} branches", "{treshold} branches")
    with pytest.raises(PackError, match=r"faq.yaml, entries.0.answer: unknown field \{treshold\}"):
        load_campaign(pack)


def test_bad_time_zone(pack: Path) -> None:
    edit(pack / "campaign.yaml", "timezone: Europe/London", "timezone: Europe/Londres")
    with pytest.raises(PackError, match="unknown time zone 'Europe/Londres'"):
        load_campaign(pack)


def test_branch_list_errors_name_their_lines(pack: Path) -> None:
    path = pack / "branches.csv"
    text = path.read_text().rstrip("\n")
    path.write_text(text + "\nDWP-LEEDS,DWP Leeds Again,DWP,Yorkshire\nNEW-1,,DWP,Wales\n")
    lines = len(text.splitlines())
    with pytest.raises(PackError) as error:
        load_campaign(pack)
    message = str(error.value)
    assert f"branches.csv, line {lines + 1}: code DWP-LEEDS repeats line 3" in message
    assert f"branches.csv, line {lines + 2}: branch NEW-1 has no name" in message


def test_branch_csv_header_and_comments() -> None:
    branches, problems = parse_branch_csv("# sample\ncode,name,group,region\nA,Alpha,G,R\n")
    assert [b.code for b in branches] == ["A"] and problems == []
    _, problems = parse_branch_csv("code,title\nA,B\n")
    assert problems[0].line == 1 and "lacks name, group, region" in problems[0].message


def test_meeting_file_is_checked(pack: Path) -> None:
    meeting = pack / "meeting.yaml"
    edit(meeting, "  1. {agenda}", "  1. {agneda}")
    with pytest.raises(PackError, match=r"meeting.yaml, notice: unknown field \{agneda\}"):
        load_campaign(pack)
    edit(meeting, "  1. {agneda}", "  1. {agenda}")
    # Unquoted, YAML reads 12:30 as a number of minutes: the pack says to quote it.
    line = edit(meeting, 'time: "12:30"', "time: 12:30")
    with pytest.raises(PackError) as error:
        load_campaign(pack)
    assert f"meeting.yaml, line {line} (time)" in str(error.value)
    assert 'write the time in quotes, e.g. "12:30"' in str(error.value)
    edit(meeting, "time: 12:30", 'time: "half past"')
    with pytest.raises(PackError, match="I couldn't read 'half past' as a time"):
        load_campaign(pack)


def test_meeting_file_may_be_left_out(pack: Path) -> None:
    (pack / "meeting.yaml").unlink()
    meeting = load_campaign(pack).meeting
    assert (meeting.time, meeting.place, meeting.duration_minutes) == (
        "12:30",
        "to be confirmed",
        60,
    )


def test_a_meeting_reminder_gives_a_day_and_time_or_the_minutes_after_it_ends(
    pack: Path,
) -> None:
    reminders = pack / "reminders.yaml"
    edit(reminders, "meeting: {after_end_minutes: 60}", "meeting: {days: 0, after_end_minutes: 60}")
    with pytest.raises(PackError, match="give days and time, or after_end_minutes"):
        load_campaign(pack)
    edit(reminders, "meeting: {days: 0, after_end_minutes: 60}", "meeting: {days: 0}")
    with pytest.raises(PackError, match="give days and time, or after_end_minutes"):
        load_campaign(pack)
    edit(reminders, "meeting: {days: 0}", "meeting: {after_end_minutes: 60}")
    edit(reminders, "meeting_day_limit: 2", "meeting_day_limit: 0")
    with pytest.raises(PackError, match="meeting_day_limit"):
        load_campaign(pack)
