"""A meeting's changes reach everyone who had its invitation: through the console with
several people, and through the real bolt app against the fake Slack Web API. Each
update is a direct message sent by the reminder sweep, exactly once, with the same UID
and the next SEQUENCE (or METHOD:CANCEL); whoever made the change gets it in their reply
instead. Every file is read back strictly and with icalendar."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from bot.adapters.console import Console
from bot.adapters.slack import SlackAdapter
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from schedules.meeting_updates import RULE
from tests import reminder_state as states
from tests import slack_harness as slack
from tests.conftest import LONDON
from tests.fakes.slack_api import FakeSlack
from tests.test_meeting_calendar import SAVED, invitation_in, read_calendar, say


def shown_files(screen: io.StringIO, start: int = 0) -> list[tuple[Calendar, Event]]:
    """The invitations the console showed (from `start` in what it printed)."""
    found = []
    for match in SAVED.finditer(screen.getvalue(), start):
        calendar = read_calendar(Path(match.group(2)).read_bytes())
        (event,) = calendar.events
        found.append((calendar, event))
    return found


async def updates_sent(services: Services) -> list[tuple[str, str, str]]:
    return [
        (d.recipient, d.occurrence, d.status)
        for d in await services.store.deliveries.all()
        if d.rule_id == RULE
    ]


async def test_every_earlier_recipient_gets_each_change_once(
    dispatcher: Dispatcher, services: Services, clock: Clock, tmp_path: Path
) -> None:
    screen = io.StringIO()  # the terminal every update is shown on, with whom it is for
    alice = Console(dispatcher, "alice", attachments=tmp_path / "alice")
    bob = Console(dispatcher, "bob", attachments=tmp_path / "bob", out=screen)
    carol = Console(dispatcher, "carol", attachments=tmp_path / "carol")
    (tmp_path / "bob").mkdir()
    _, _, first = invitation_in(
        await say(alice, "/meeting branch:DWP-LEEDS date:10 Oct place:Canteen")
    )
    uid = str(first["UID"])
    assert "Saved" in await say(bob, "/notice branch:DWP-LEEDS")
    deliverer = await states.sending(services, {"console": bob})
    await deliverer.sweep(clock.now())
    assert screen.getvalue() == ""  # nothing has changed: nobody is sent anything

    clock.advance(timedelta(hours=1))
    moved = await say(alice, "/meeting branch:DWP-LEEDS date:11 Oct time:6pm")
    assert "Everyone who had it from me gets the update" in moved
    assert "Saved" in await say(carol, "/notice branch:DWP-LEEDS")  # has the new one already
    report = await deliverer.sweep(clock.now())
    assert report.sent == 1
    shown = screen.getvalue()
    assert shown.startswith("[reminder for you]\nDWP Leeds's meeting has changed. It is now on ")
    assert "Friday 11 October 2019 at 6pm. Place: Canteen." in shown
    ((calendar, event),) = shown_files(screen)
    assert calendar["METHOD"] == "REQUEST"
    assert (str(event["UID"]), event["SEQUENCE"]) == (uid, 1)
    assert event["DTSTART"].dt == datetime(2019, 10, 11, 18, 0, tzinfo=LONDON)
    assert "[reminder for alice]" not in shown and "[reminder for carol]" not in shown

    # Swept again, by this process or another after a restart: nothing goes twice.
    assert (await deliverer.sweep(clock.now() + timedelta(minutes=1))).sent == 0
    again = await states.sending(services, {"console": bob})
    assert (await again.sweep(clock.now() + timedelta(minutes=2))).sent == 0
    assert screen.getvalue() == shown
    assert await updates_sent(services) == [("person:2", f"{uid}:1", "sent")]

    # Bob moves it himself: Alice and Carol get it; Bob has it in his reply.
    clock.advance(timedelta(hours=1))
    invitation_in(await say(bob, "/meeting branch:DWP-LEEDS date:14 Oct"))
    mark = len(screen.getvalue())
    assert (await deliverer.sweep(clock.now())).sent == 2
    later = screen.getvalue()[mark:]
    assert "[reminder for alice]" in later and "[reminder for carol]" in later
    assert "[reminder for you]" not in later
    sequences = [(str(e["UID"]), e["SEQUENCE"]) for _, e in shown_files(screen, mark)]
    assert sequences == [(uid, 2), (uid, 2)]

    # Two changes before the next sweep: only the latest goes, the cancellation.
    clock.advance(timedelta(hours=1))
    await say(alice, '/meeting branch:DWP-LEEDS date:15 Oct place:"Room 4"')
    await say(alice, "/cancelmeeting branch:DWP-LEEDS confirm:yes")
    mark = len(screen.getvalue())
    assert (await deliverer.sweep(clock.now())).sent == 2
    later = screen.getvalue()[mark:]
    assert "[reminder for you]" in later and "[reminder for carol]" in later
    assert "DWP Leeds's meeting on Tuesday 15 October 2019 has been cancelled." in later
    cancelled = shown_files(screen, mark)
    assert [(c["METHOD"], str(e["UID"]), e["SEQUENCE"]) for c, e in cancelled] == [
        ("CANCEL", uid, 4),
        ("CANCEL", uid, 4),
    ]
    assert sorted(await updates_sent(services)) == sorted(
        [
            ("person:2", f"{uid}:1", "sent"),
            ("person:1", f"{uid}:2", "sent"),
            ("person:3", f"{uid}:2", "sent"),
            ("person:2", f"{uid}:4", "sent"),
            ("person:3", f"{uid}:4", "sent"),
        ]
    )


async def test_an_update_waits_for_the_end_of_quiet_hours(
    dispatcher: Dispatcher, services: Services, clock: Clock, tmp_path: Path
) -> None:
    screen = io.StringIO()
    alice = Console(dispatcher, "alice", attachments=tmp_path)
    bob = Console(dispatcher, "bob", attachments=tmp_path, out=screen)
    await say(alice, "/meeting branch:DWP-LEEDS date:10 Oct")
    await say(bob, "/notice branch:DWP-LEEDS")
    clock.set(datetime(2019, 9, 20, 22, 30, tzinfo=LONDON))
    await say(alice, "/meeting branch:DWP-LEEDS date:11 Oct")
    deliverer = await states.sending(services, {"console": bob})
    assert (await deliverer.sweep(clock.now())).sent == 0
    assert (await deliverer.sweep(datetime(2019, 9, 21, 7, 59, tzinfo=LONDON))).sent == 0
    assert screen.getvalue() == ""
    assert (await deliverer.sweep(datetime(2019, 9, 21, 8, 1, tzinfo=LONDON))).sent == 1
    ((_, event),) = shown_files(screen)
    assert event["SEQUENCE"] == 1


async def test_a_meeting_moved_into_the_past_sends_nothing(
    dispatcher: Dispatcher, services: Services, clock: Clock, tmp_path: Path
) -> None:
    screen = io.StringIO()
    alice = Console(dispatcher, "alice", attachments=tmp_path)
    bob = Console(dispatcher, "bob", attachments=tmp_path, out=screen)
    await say(alice, "/meeting branch:DWP-LEEDS date:10 Oct")
    await say(bob, "/notice branch:DWP-LEEDS")
    # Reported afterwards as held on another day, already past: no calendar to update.
    await say(alice, "/meeting branch:DWP-LEEDS date:19 Sep")
    deliverer = await states.sending(services, {"console": bob})
    assert (await deliverer.sweep(clock.now())).sent == 0
    assert screen.getvalue() == ""
    assert await updates_sent(services) == []
    meeting = (await services.store.meetings.of_branch("DWP-LEEDS"))[-1]
    assert ("console", "bob", 1) in await services.store.invitations.recipients(meeting.uid)


async def slash(adapter: SlackAdapter, fake: FakeSlack, name: str, text: str, user: str) -> str:
    tag = f"{name}-{user}-{len(fake.calls)}"
    response = await slack.command(
        adapter, name, text, user=user, channel="C1", response_url=fake.response_url(tag)
    )
    assert response.status == 200
    (call,) = await fake.wait_for(f"response_url:{tag}")
    return str(call.body["text"])


async def test_slack_an_update_reaches_the_earlier_recipients_dm(
    slack_services: Services, slack_settings: Settings, fake: FakeSlack
) -> None:
    adapter = SlackAdapter(Dispatcher(slack_services), slack_settings)
    await slash(adapter, fake, "meeting", "branch:DWP-LEEDS date:10 Oct", "U1")
    await slash(adapter, fake, "notice", "branch:DWP-LEEDS", "U2")
    await fake.wait_for("files.completeUploadExternal", 2)
    uid = str(read_calendar(fake.shared_files[0][2]).events[0]["UID"])
    slack_services.clock.advance(timedelta(hours=1))
    await slash(adapter, fake, "meeting", "branch:DWP-LEEDS date:11 Oct place:Hall", "U1")
    await fake.wait_for("files.completeUploadExternal", 3)
    posted = len(fake.calls_to("chat.postMessage"))

    deliverer = await states.sending(slack_services, {"slack": adapter})
    await deliverer.sweep(slack_services.clock.now())  # the organiser's reminder goes too
    assert await updates_sent(slack_services) == [("person:2", f"{uid}:1", "sent")]
    to_users = [
        c for c in fake.calls_to("chat.postMessage")[posted:] if c.body["channel"] != "UORG"
    ]
    (message,) = to_users
    assert message.body["channel"] == "U2"  # a direct message to the earlier recipient
    assert "DWP Leeds's meeting has changed" in message.body["text"]
    people = [f for f in fake.shared_files if f[0] != "DORG"]  # not the organiser's chart
    channel, name, content = people[-1]
    assert (channel, name) == ("D2", "meeting-DWP-LEEDS-update-1.ics")
    calendar = read_calendar(content)
    (event,) = calendar.events
    assert (calendar["METHOD"], str(event["UID"]), event["SEQUENCE"]) == ("REQUEST", uid, 1)
    assert event["LOCATION"] == "Hall"
    # U1 made the change and had it in the reply: no direct message for them.
    assert [c for c, _, _ in people] == ["D1", "D2", "D1", "D2"]
    await deliverer.sweep(slack_services.clock.now() + timedelta(minutes=1))
    assert [c for c in fake.calls_to("chat.postMessage") if c.body["channel"] == "U2"] == [message]
    assert await updates_sent(slack_services) == [("person:2", f"{uid}:1", "sent")]
