"""Meetings as calendar entries, through the real command handlers on the console: the
time and place, the notice to send members, the RFC 5545 invitation written to a file,
a reschedule (the same UID, the next SEQUENCE), a cancellation (METHOD:CANCEL), and the
calendar of every meeting from `mobilise export meetings --format ics`.

Every invitation is parsed with icalendar and also read strictly, line by line."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from bot.adapters.console import Console
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from tests.conftest import CAMPAIGN, LONDON, SEPT_20, mobilise_command, sqlite_url
from tests.store_rows import table_rows

SAVED = re.compile(r"^Saved (\S+\.ics) to (\S+)$", re.MULTILINE)


def export(db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """`mobilise export ...` as a user runs it, its output as the bytes it wrote (CRLF
    and all)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MOBILISE_")}
    return subprocess.run(
        [*mobilise_command(), "--db", sqlite_url(db), "--campaign", str(CAMPAIGN), "export", *args],
        capture_output=True,
        env=environment,
        timeout=60,
        check=False,
    )


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


def strictly(content: bytes) -> list[bytes]:
    """The calendar's content lines, unfolded, after checking RFC 5545's line rules: every
    line ends in CRLF, none is longer than 75 octets, no CR or LF stands alone, and no
    fold splits a UTF-8 character."""
    assert content.endswith(b"\r\n")
    lines = content.split(b"\r\n")[:-1]
    for line in lines:
        assert len(line) <= 75, line
        assert b"\r" not in line and b"\n" not in line, line
        line.decode("utf-8")  # a fold never splits a character's octets
    content_lines: list[bytes] = []
    for line in lines:
        if line.startswith((b" ", b"\t")):
            content_lines[-1] += line[1:]
        else:
            content_lines.append(line)
    return content_lines


def read_calendar(content: bytes) -> Calendar:
    lines = strictly(content)
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    assert b"VERSION:2.0" in lines
    calendar = Calendar.from_ical(content)
    assert calendar.errors == []
    return calendar


def invitation_in(reply: str) -> tuple[Path, Calendar, Event]:
    """The invitation the console saved, from the path its reply gives."""
    found = SAVED.search(reply)
    assert found is not None, reply
    path = Path(found.group(2))
    assert path.name == found.group(1)
    calendar = read_calendar(path.read_bytes())
    (event,) = calendar.events
    return path, calendar, event


def local(event: Event, name: str) -> datetime:
    value = event[name].dt
    assert isinstance(value, datetime) and value.tzinfo is not None
    assert event[name].params["TZID"] == "Europe/London"
    return value


def offsets(calendar: Calendar, *moments: datetime) -> list[timedelta | None]:
    """What the calendar's own VTIMEZONE says the UTC offset is at each local moment."""
    (zone,) = calendar.timezones
    assert zone["TZID"] == "Europe/London"
    tz = zone.to_tz()
    return [m.replace(tzinfo=None).replace(tzinfo=tz).utcoffset() for m in moments]


async def test_meeting_takes_time_and_place_and_writes_the_invitation(
    alice: Console, services: Services
) -> None:
    reply = await say(
        alice,
        '/meeting branch:"DWP Leeds" date:25 Oct notice:10 Oct time:6pm place:"Quarry House, room 2"',
    )
    assert reply.startswith(
        "Thanks! Recorded: DWP Leeds meeting on Friday 25 October 2019 at 6pm. "
        "Place: Quarry House, room 2."
    )
    path, calendar, event = invitation_in(reply)
    assert path.parent == Path("var") and path.name == "meeting-DWP-LEEDS.ics"
    assert calendar["METHOD"] == "REQUEST"
    assert local(event, "DTSTART") == datetime(2019, 10, 25, 18, 0, tzinfo=LONDON)
    assert local(event, "DTEND") == datetime(2019, 10, 25, 19, 0, tzinfo=LONDON)
    assert event["DTSTAMP"].dt == SEPT_20.astimezone(UTC)
    assert event["SEQUENCE"] == 0 and event["STATUS"] == "CONFIRMED"
    assert event["LOCATION"] == "Quarry House, room 2"
    assert str(event["SUMMARY"]) == "DWP Leeds branch general meeting"
    stored = await services.store.meetings.current("DWP-LEEDS")
    assert stored is not None and event["UID"] == stored.uid and stored.uid
    assert (stored.meeting_time, stored.place) == (time(18, 0), "Quarry House, room 2")


async def test_long_lines_fold_at_75_octets_not_characters(alice: Console) -> None:
    """A place in Welsh, with letters of two and three octets, in a line far past 75."""
    place = "Tŷ'r Undeb, Heol y Frenhines, Caerdydd — ystafell gyfarfod 2 (llawr cyntaf, ger y lifft)"
    reply = await say(alice, f'/meeting branch:DWP-LEEDS date:11 Oct place:"{place}"')
    path, _, event = invitation_in(reply)
    assert str(event["LOCATION"]) == place
    content = path.read_bytes()
    folded = [line for line in content.split(b"\r\n") if line.startswith(b" ")]
    assert len(folded) >= 2
    location = next(line for line in strictly(content) if line.startswith(b"LOCATION:"))
    assert location.decode("utf-8") == "LOCATION:" + place.replace(",", "\\,")


async def test_defaults_come_from_the_pack_and_the_notice_is_plain_text(
    alice: Console, services: Services
) -> None:
    reply = await say(alice, "/meeting branch:HMRC-BOOT date:11 Oct")
    assert "meeting on Friday 11 October 2019 at 12:30pm. Place: to be confirmed." in reply
    assert "Warning" not in reply
    assert "Reply with a number: 1) Meeting notice" in reply
    _, _, event = invitation_in(reply)
    assert local(event, "DTSTART") == datetime(2019, 10, 11, 12, 30, tzinfo=LONDON)
    assert event["LOCATION"] == "to be confirmed"

    notice = await say(alice, "1")
    assert notice == await say(alice, "/notice branch:HMRC-BOOT")
    body, saved = notice.rsplit("\n", 1)
    assert saved == "Saved meeting-HMRC-BOOT.ics to var/meeting-HMRC-BOOT.ics"
    assert body.startswith(
        "Send this notice to every member of the branch by Friday 27 September 2019: the rules "
        "need 14 days' notice"
    )
    for wanted in (
        "Subject: HMRC Bootle branch general meeting, Friday 11 October 2019",
        "A general meeting of HMRC Bootle branch will be held on Friday 11 October 2019 at "
        "12:30pm.",
        "Place: to be confirmed",
        "1. Nomination for General Secretary",
    ):
        assert wanted in body
    # Plain text to paste into an email: no markup of any chat platform or of HTML.
    assert not re.search(r"[*_`<>#~|\[\]]", body), body
    # The pack's notice, filled in: the same words the pack has, with the meeting's values.
    pack = services.campaign.meeting
    assert pack.notice.splitlines()[0] in body


async def test_notice_says_when_it_is_overdue_or_was_sent(alice: Console) -> None:
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep")  # 10 days away: too soon
    overdue = await say(alice, "/notice branch:DWP-LEEDS")
    assert overdue.startswith("Notice had to go out by Monday 16 September 2019")
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    sent = await say(alice, "/notice branch:DWP-LEEDS")
    assert sent.startswith("Notice was reported sent on Monday 16 September 2019.")
    none = await say(alice, "/notice branch:HMRC-BOOT")
    assert none.startswith("There is no meeting on record for HMRC Bootle.")
    assert "Saved" not in none


async def test_times_are_right_either_side_of_the_october_clock_change(
    alice: Console, tmp_path: Path, db_path: Path
) -> None:
    """Clocks went back at 2am on Sunday 27 October 2019: 12:30 on the Friday before is
    11:30 UTC, and 12:30 on the Monday after is 12:30 UTC."""
    before = await say(alice, "/meeting branch:DWP-LEEDS date:25 Oct time:12:30")
    after = await say(alice, "/meeting branch:HMRC-BOOT date:28 Oct time:12:30")
    expected = {
        "DWP-LEEDS": (datetime(2019, 10, 25, 11, 30, tzinfo=UTC), timedelta(hours=1)),
        "HMRC-BOOT": (datetime(2019, 10, 28, 12, 30, tzinfo=UTC), timedelta(0)),
    }
    for reply, code in ((before, "DWP-LEEDS"), (after, "HMRC-BOOT")):
        _, calendar, event = invitation_in(reply)
        start = local(event, "DTSTART")
        assert (start.hour, start.minute) == (12, 30)
        assert start.astimezone(UTC) == expected[code][0]
        assert offsets(calendar, start) == [expected[code][1]]
        line = f"DTSTART;TZID=Europe/London:{start:%Y%m%d}T123000".encode()
        assert line in strictly(calendar.to_ical())

    exported = export(db_path, "meetings", "--format", "ics")
    assert exported.returncode == 0, exported.stderr
    calendar = read_calendar(exported.stdout)
    assert calendar["METHOD"] == "PUBLISH"
    starts = {str(e["SUMMARY"]): local(e, "DTSTART") for e in calendar.events}
    assert len(calendar.timezones) == 1
    assert {name: start.astimezone(UTC) for name, start in starts.items()} == {
        "DWP Leeds branch general meeting": expected["DWP-LEEDS"][0],
        "HMRC Bootle branch general meeting": expected["HMRC-BOOT"][0],
    }
    assert offsets(calendar, *sorted(starts.values())) == [timedelta(hours=1), timedelta(0)]


async def test_a_reschedule_keeps_the_uid_and_raises_the_sequence(
    alice: Console, clock: Clock, services: Services
) -> None:
    first = await say(alice, "/meeting branch:DWP-LEEDS date:10 Oct notice:25 Sep place:Canteen")
    assert "Warning" not in first
    clock.advance(timedelta(hours=2))
    # Moved earlier, to a day that 14 days' notice from now cannot reach: the check runs again.
    second = await say(alice, "/meeting branch:DWP-LEEDS date:1 Oct time:1pm")
    assert "This replaces the earlier report of a meeting on Thu 10 Oct at 12:30pm." in second
    assert "Warning: members need 14 days' notice." in second
    assert "This invitation updates the earlier one in calendars" in second
    clock.advance(timedelta(hours=2))
    third = await say(alice, '/meeting branch:DWP-LEEDS date:11 Oct place:"Room 4" notice:26 Sep')
    assert "Warning" not in third
    clock.advance(timedelta(hours=1))
    # A new place on the same day: the notice reported for it still stands, unwarned.
    fourth = await say(alice, '/meeting branch:DWP-LEEDS date:11 Oct place:"Room 5"')
    assert "Warning" not in fourth
    stored = await services.store.meetings.current("DWP-LEEDS")
    assert stored is not None and stored.notice_date == date(2019, 9, 26)

    events = [invitation_in(reply) for reply in (first, second, third, fourth)]
    uids = {str(event["UID"]) for _, _, event in events}
    assert len(uids) == 1
    assert [event["SEQUENCE"] for _, _, event in events] == [0, 1, 2, 3]
    assert [p.name for p, _, _ in events] == [
        "meeting-DWP-LEEDS.ics",
        "meeting-DWP-LEEDS-update-1.ics",
        "meeting-DWP-LEEDS-update-2.ics",
        "meeting-DWP-LEEDS-update-3.ics",
    ]
    stamps = [event["DTSTAMP"].dt for _, _, event in events]
    assert stamps == sorted(stamps) and len(set(stamps)) == 4
    # What was not given again stays as it was: the place, then the time.
    assert [(local(e, "DTSTART"), str(e["LOCATION"])) for _, _, e in events] == [
        (datetime(2019, 10, 10, 12, 30, tzinfo=LONDON), "Canteen"),
        (datetime(2019, 10, 1, 13, 0, tzinfo=LONDON), "Canteen"),
        (datetime(2019, 10, 11, 13, 0, tzinfo=LONDON), "Room 4"),
        (datetime(2019, 10, 11, 13, 0, tzinfo=LONDON), "Room 5"),
    ]
    assert all(c["METHOD"] == "REQUEST" for _, c, _ in events)

    # Cancelled: the same UID, the next SEQUENCE, METHOD:CANCEL.
    clock.advance(timedelta(hours=1))
    asked = await say(alice, "/cancelmeeting branch:DWP-LEEDS")
    assert asked.startswith("Cancel DWP Leeds's meeting on Friday 11 October 2019 at 1pm?")
    assert "Saved" not in asked
    assert (await services.store.meetings.current("DWP-LEEDS")) is not None
    cancelled = await say(alice, "1")
    assert cancelled.startswith("Cancelled: DWP Leeds's meeting on Friday 11 October 2019.")
    path, calendar, event = invitation_in(cancelled)
    assert path.name == "meeting-DWP-LEEDS-cancelled.ics"
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) in uids and event["SEQUENCE"] == 4
    assert event["STATUS"] == "CANCELLED"
    assert local(event, "DTSTART") == datetime(2019, 10, 11, 13, 0, tzinfo=LONDON)
    assert await services.store.meetings.current("DWP-LEEDS") is None
    assert (await services.store.reports.meetings()) == []
    assert "no meeting on record" in await say(alice, "/notice branch:DWP-LEEDS")
    history = await say(alice, "/branch branch:DWP-LEEDS")
    assert ": meeting on Friday 11 October 2019 cancelled\n" in history
    assert "DWP Leeds (DWP, Yorkshire & Humberside): no volunteer." in history  # no meeting
    mine = await say(alice, "/mydata")
    assert "You cancelled DWP-LEEDS's meeting on Friday 11 October 2019" in mine

    # A meeting called after the cancellation is a new calendar entry.
    again = await say(alice, "/meeting branch:DWP-LEEDS date:14 Oct")
    assert "replaces" not in again
    _, calendar, event = invitation_in(again)
    assert str(event["UID"]) not in uids and event["SEQUENCE"] == 0
    # The place and time start again from the pack's.
    assert local(event, "DTSTART") == datetime(2019, 10, 14, 12, 30, tzinfo=LONDON)
    assert event["LOCATION"] == "to be confirmed"


async def test_who_may_cancel(
    alice: Console, bob: Console, organiser: Console, services: Services
) -> None:
    assert "has no meeting on record to cancel" in await say(
        alice, "/cancelmeeting branch:DWP-LEEDS confirm:yes"
    )
    await say(alice, "/meeting branch:DWP-LEEDS date:18 Oct")
    before = await table_rows(services.store, "meetings")
    refused = await say(bob, "/cancelmeeting branch:DWP-LEEDS confirm:yes")
    assert refused.startswith("Only whoever reported DWP Leeds's meeting, or an organiser")
    kept = await say(alice, "/cancelmeeting branch:DWP-LEEDS")
    assert "Keep it" in kept
    assert await say(alice, "2") == "OK: DWP Leeds's meeting stays as it is."
    assert await table_rows(services.store, "meetings") == before

    # Bob changes the meeting: he may cancel it now. Olive, an organiser, always may.
    await say(bob, "/meeting branch:DWP-LEEDS date:17 Oct")
    assert (await say(bob, "/cancelmeeting branch:DWP-LEEDS confirm:yes")).startswith(
        "Cancelled:"
    )
    await say(alice, "/meeting branch:HMRC-BOOT date:17 Oct")
    done = await say(organiser, "/cancelmeeting branch:HMRC-BOOT confirm:yes")
    _, calendar, event = invitation_in(done)
    assert calendar["METHOD"] == "CANCEL" and event["SEQUENCE"] == 1
    logged = await say(organiser, "/audit")
    assert "cancelmeeting branch:HMRC-BOOT" in logged
    assert "DWP-LEEDS" not in logged  # Bob's own cancellation is his to make


async def test_a_held_meeting_is_not_cancelled_and_gets_no_invitation(
    alice: Console, clock: Clock
) -> None:
    held = await say(alice, "/meeting branch:DWP-LEEDS date:16 Sep notice:2 Sep")
    assert "Saved" not in held and "Meeting notice" not in held
    refused = await say(alice, "/cancelmeeting branch:DWP-LEEDS confirm:yes")
    assert "has been held, so it can't be cancelled" in refused


async def test_bad_time_or_place_changes_nothing(alice: Console, services: Services) -> None:
    for line, message in (
        ("/meeting branch:DWP-LEEDS date:18 Oct time:25:00", "time: '25:00' is not a time of day"),
        ("/meeting branch:DWP-LEEDS date:18 Oct time:6", "time: '6': is that am or pm?"),
        ("/meeting branch:DWP-LEEDS date:18 Oct time:lunch", "time: I couldn't read 'lunch'"),
        (f"/meeting branch:DWP-LEEDS date:18 Oct place:{'x' * 121}", "place"),
    ):
        reply = await say(alice, line)
        assert message in reply, reply
        assert "Saved" not in reply
    assert await table_rows(services.store, "meetings") == []
    assert not Path("var").exists()  # noqa: ASYNC240 - a test's own folder


async def test_export_ics_is_for_meetings_only(db_path: Path, services: Services) -> None:
    refused = export(db_path, "volunteers", "--format", "ics")
    assert refused.returncode == 2
    assert b"--format ics is for meetings, not volunteers" in refused.stderr
    empty = export(db_path, "meetings", "--format", "ics")
    assert empty.returncode == 0, empty.stderr
    calendar = read_calendar(empty.stdout)
    assert calendar.events == [] and calendar["METHOD"] == "PUBLISH"


async def test_the_csv_of_meetings_has_the_time_and_place(
    alice: Console, organiser: Console
) -> None:
    await say(alice, '/meeting branch:DWP-LEEDS date:10 Oct time:1pm place:"=HYPERLINK(1)"')
    reply = await organiser.reply_to("/export what:meetings")
    assert reply is not None and reply.attachment is not None
    (row,) = csv.DictReader(io.StringIO(reply.attachment.content.decode()))
    assert (row["meeting_date"], row["time"], row["place"]) == (
        "2019-10-10",
        "13:00",
        "'=HYPERLINK(1)",  # a place is never run as a spreadsheet formula
    )
