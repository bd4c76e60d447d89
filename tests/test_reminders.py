"""Reminders: the plan over the whole campaign, delivery exactly once, catch-up, buttons."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

import pytest

from bot.adapters.base import Target
from bot.adapters.console import Console
from bot.app import open_services
from bot.dispatch.dispatcher import Dispatcher
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from bot.store.deliveries import Owner
from schedules.deliver import Deliverer
from schedules.deliver import _claim as claim_for
from tests import reminder_state as states
from tests.conftest import CAMPAIGN, LONDON, Screen, mobilise_command

CLOSE = datetime(2019, 10, 14, 17, 0, tzinfo=LONDON)
WALL_PAST = datetime(2020, 1, 1, tzinfo=UTC)  # a wall-clock time long gone


@pytest.fixture
def reminder_settings(database_url: str) -> Settings:
    """On a fresh SQLite file, and on a fresh PostgreSQL database where there is one."""
    return Settings(database_url=database_url, campaign=CAMPAIGN, organisers=[states.ORGANISER])


@pytest.fixture
async def seeded(reminder_settings: Settings) -> AsyncIterator[Services]:
    clock = Clock(LONDON, start=states.BEFORE, frozen=True)
    async with open_services(reminder_settings, clock=clock) as services:
        await states.seed(services.store)
        yield services


# --- the plan over the whole campaign --------------------------------------------------


@pytest.fixture
async def whole_campaign(seeded: Services, reminder_settings: Settings) -> list[dict[str, Any]]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    env["MOBILISE_ORGANISERS"] = states.ORGANISER
    result = await asyncio.to_thread(
        subprocess.run,
        [
            *mobilise_command(),
            "--db",
            reminder_settings.database_url,
            "--campaign",
            str(CAMPAIGN),
            "--now",
            "2019-08-31T12:00",
            "schedule",
            "--from",
            "2019-09-02",
            "--to",
            "2019-12-12",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    return [json.loads(line) for line in result.stdout.splitlines()]


def local(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(item["at"]).astimezone(LONDON)


def test_plan_has_every_kind_of_message(whole_campaign: list[dict[str, Any]]) -> None:
    rules = {item["rule"] for item in whole_campaign}
    assert rules == {
        "nominations-open",
        "weekly-progress",
        "last-week-to-call",
        "final-days",
        "nominations-closed",
        "ballot-opens",
        "last-week-to-vote",
        "welcome",
        "call-a-meeting",
        "too-late-to-call",
        "meeting-tomorrow",
        "meeting-today",
        "how-did-it-go",
        "report-the-result",
        "ballot-papers-arrive",
        "ballot-week-on",
        "ballot-last-call",
        "organiser-digest",
        "organiser-ballot-digest",
    }
    for item in whole_campaign:
        assert set(item) >= {"at", "rule", "audience", "recipient", "branch"}
        assert datetime.fromisoformat(item["at"]).utcoffset() is not None


def test_no_personal_message_outside_quiet_hours(whole_campaign: list[dict[str, Any]]) -> None:
    personal = [i for i in whole_campaign if i["audience"] in ("volunteer", "organisers")]
    assert personal
    for item in personal:
        assert time(8, 0) <= local(item).time() < time(21, 0), item
    late = [i for i in personal if i["recipient"] == "console:lara" and i["rule"] == "welcome"]
    assert [local(i) for i in late] == [datetime(2019, 9, 26, 8, 0, tzinfo=LONDON)]


def test_nothing_for_branches_that_reported_or_people_who_opted_out(
    whole_campaign: list[dict[str, Any]],
) -> None:
    recipients = {i["recipient"] for i in whole_campaign if i["phase"] == "nominations"}
    assert "console:dee" not in recipients  # branch nominated
    assert "console:otto" not in {i["recipient"] for i in whole_campaign}  # opted out
    voters = {i["recipient"] for i in whole_campaign if i["phase"] == "ballot"}
    assert "console:dee" in voters  # everyone has a vote, whatever the branch decided
    assert {"console:nia", "console:mo", "console:lara", "console:sam"} <= recipients
    snoozed = [local(i) for i in whole_campaign if i["recipient"] == "console:sam"]
    assert min(snoozed) >= datetime(2019, 9, 12, 12, 0, tzinfo=LONDON)


def test_cut_off_message_switches_on_1_october(whole_campaign: list[dict[str, Any]]) -> None:
    nia = [i for i in whole_campaign if i["recipient"] == "console:nia"]
    calls = [local(i).date() for i in nia if i["rule"] == "call-a-meeting"]
    too_late = [local(i).date() for i in nia if i["rule"] == "too-late-to-call"]
    assert max(calls) == date(2019, 9, 30)
    assert min(too_late) == date(2019, 10, 1)
    gaps = [(b - a).days for a, b in pairwise(calls)]
    assert gaps[0] == 7 and gaps[-1] == 1  # steps up as the cut-off nears
    assert gaps == sorted(gaps, reverse=True)


def test_meeting_reminders_follow_the_branch_meeting(whole_campaign: list[dict[str, Any]]) -> None:
    mo = [
        (i["rule"], local(i))
        for i in whole_campaign
        if i["recipient"] == "console:mo" and i["phase"] == "nominations"
    ]
    # The day before, the morning of, an hour after it ends (12:30, the pack's start, and
    # an hour long), then the day after and two days later while no result is in.
    assert mo == [
        ("meeting-tomorrow", datetime(2019, 10, 2, 18, 0, tzinfo=LONDON)),
        ("meeting-today", datetime(2019, 10, 3, 8, 30, tzinfo=LONDON)),
        ("how-did-it-go", datetime(2019, 10, 3, 14, 30, tzinfo=LONDON)),
        ("report-the-result", datetime(2019, 10, 4, 9, 0, tzinfo=LONDON)),
        ("report-the-result", datetime(2019, 10, 6, 9, 0, tzinfo=LONDON)),
    ]


def test_same_wall_clock_time_across_the_clocks_changing(
    whole_campaign: list[dict[str, Any]],
) -> None:
    broadcasts = [
        i
        for i in whole_campaign
        if i["audience"] == "channel" and i["rule"] not in ("nominations-closed",)
    ]
    before = [i for i in broadcasts if local(i).date() < date(2019, 10, 27)]
    after = [i for i in broadcasts if local(i).date() > date(2019, 10, 27)]
    assert before and after
    assert {local(i).time() for i in before} == {time(9, 0)}
    assert {local(i).time() for i in after} == {time(9, 0)}
    assert {datetime.fromisoformat(i["at"]).utcoffset() for i in before} == {timedelta(hours=1)}
    assert {datetime.fromisoformat(i["at"]).utcoffset() for i in after} == {timedelta(0)}


def test_nothing_about_nominations_after_the_close(whole_campaign: list[dict[str, Any]]) -> None:
    after = [i for i in whole_campaign if datetime.fromisoformat(i["at"]) > CLOSE]
    assert after
    assert {i["phase"] for i in after} == {"ballot"}
    assert {i["rule"] for i in after} == {
        "ballot-opens",
        "last-week-to-vote",
        "ballot-papers-arrive",
        "ballot-week-on",
        "ballot-last-call",
        "organiser-ballot-digest",
    }


def test_one_message_per_volunteer_per_day(whole_campaign: list[dict[str, Any]]) -> None:
    # Two on the day of the volunteer's branch meeting (the pack's meeting_day_limit): that
    # morning and after it. Lara's welcome, put off to the morning, takes her day's one.
    days = Counter(
        (i["recipient"], local(i).date()) for i in whole_campaign if i["audience"] == "volunteer"
    )
    meeting_day = ("console:mo", date(2019, 10, 3))
    assert days.pop(meeting_day) == 2
    assert max(days.values()) == 1


# --- delivery --------------------------------------------------------------------------


async def test_sent_once_however_often_it_sweeps(seeded: Services) -> None:
    sender = states.RecordingSender()
    deliverer = await states.sending(seeded, {"console": sender})
    moment = datetime(2019, 9, 2, 10, 0, 30, tzinfo=LONDON)
    first = await deliverer.sweep(moment)
    assert first.sent == 3
    again = await deliverer.sweep(moment + timedelta(seconds=40))
    assert again.sent == 0
    assert again.already == 3
    assert len(sender.sent) == 3
    records = await seeded.store.deliveries.all()
    assert {(r.rule_id, r.recipient, r.status) for r in records} == {
        ("organiser-digest", "organiser:console:olive", "sent"),
        ("nominations-open", f"channel:console:{states.CHANNEL}", "sent"),
        ("call-a-meeting", "person:1", "sent"),
    }
    texts = {target.kind: reply.text for target, reply, _ in sender.sent}
    assert texts["channel"].startswith("Branch nominations for General Secretary are open")
    digest = next(r.text for _, r, _ in sender.sent if "digest" in r.text)
    assert digest.splitlines()[0] == "Organisers' digest, Mon 2 Sep."


async def test_catch_up_within_the_window_and_drop_outside_it(seeded: Services) -> None:
    sender = states.RecordingSender()
    deliverer = await states.sending(seeded, {"console": sender})
    await deliverer.sweep(datetime(2019, 9, 8, 23, 0, tzinfo=LONDON))  # the last run
    # Down over Monday 9 September's 08:30, 09:00 and 10:00 messages; back at 12:00,
    # within six hours of each: all are sent.
    report = await deliverer.sweep(datetime(2019, 9, 9, 12, 0, tzinfo=LONDON))
    assert (report.sent, report.dropped) == (3, 0)
    # Down from Sunday 15th to Monday 16th 15:30: the 08:30 and 09:00 messages are more
    # than six hours late and are dropped, with the reason; the 10:00 ones still go.
    await deliverer.sweep(datetime(2019, 9, 15, 20, 0, tzinfo=LONDON))
    sender.sent.clear()
    report = await deliverer.sweep(datetime(2019, 9, 16, 15, 30, tzinfo=LONDON))
    dropped = await seeded.store.deliveries.all("dropped")
    assert {r.rule_id for r in dropped} == {"organiser-digest", "weekly-progress"}
    assert all("catch-up window" in (r.detail or "") for r in dropped)
    assert report.dropped == 2
    assert sorted(r.text.split(",")[0] for _, r, _ in sender.sent) == ["Nia", "Sam"]
    # Dropped means dropped: a later sweep does not send them.
    sender.sent.clear()
    await deliverer.sweep(datetime(2019, 9, 16, 15, 31, tzinfo=LONDON))
    assert sender.sent == []


async def test_undeliverable_volunteers_are_marked_and_reported(seeded: Services) -> None:
    deliverer = await states.sending(
        seeded, {"console": states.RecordingSender(outcome="undeliverable")}
    )
    report = await deliverer.sweep(datetime(2019, 9, 2, 10, 1, tzinfo=LONDON))
    assert report.undeliverable == 3
    later = states.RecordingSender()
    deliverer = await states.sending(seeded, {"console": later})
    await deliverer.sweep(datetime(2019, 9, 9, 10, 1, tzinfo=LONDON))
    assert not any(t.id == "nia" for t, _, _ in later.sent)  # not retried for ever
    (digest,) = [r for _, r, _ in later.sent if "digest" in r.text]
    assert "Volunteers I could not message: 1." in digest.text


async def test_a_pending_send_left_by_a_crash_is_sent_again_with_its_nonce(
    seeded: Services,
) -> None:
    sender = states.RecordingSender()
    deliverer = await states.sending(seeded, {"console": sender})
    moment = datetime(2019, 9, 2, 10, 0, 30, tzinfo=LONDON)
    due = await deliverer.plan(moment - timedelta(hours=6), moment)
    assert len(due) == 3
    # A process that has since crashed claimed them, and its claims have run out.
    crashed = Owner("a crashed process", WALL_PAST, WALL_PAST)
    claims = await seeded.store.deliveries.claim([claim_for(p) for p in due], crashed, moment)
    await deliverer.sweep(moment)  # the crash happened after the claims, before sending
    assert sorted(n for _, _, n in sender.sent) == sorted(c.nonce for c in claims)


async def test_done_snooze_and_need_help_in_the_console(seeded: Services) -> None:
    moment = datetime(2019, 9, 2, 10, 1, tzinfo=LONDON)
    seeded.clock.set(moment)
    recorder = states.RecordingSender()
    await (await states.sending(seeded, {"console": recorder})).sweep(moment)
    reminder = next(r for t, r, _ in recorder.sent if t.id == "nia")
    screen = Screen()
    out = screen.writes
    console = Console(Dispatcher(seeded), "nia", out=screen)  # type: ignore[arg-type]
    sender = console
    await sender.send(Target("console", "user", "nia"), reminder, "n1")
    assert "[reminder for you]" in out[0]
    assert "Reply with a number: 1) Done  2) Snooze 2 days  3) Need help" in out[0]
    assert await console.handle("1") == (
        "Great! Tell me when DWP Leeds meets: /meeting branch:DWP-LEEDS date:<date> "
        "notice:<date notice went out>"
    )
    await sender.send(Target("console", "user", "nia"), reminder, "n1")
    assert await console.handle("3") == (
        "Thanks: the organisers will get in touch to help with DWP Leeds. "
        "You can also email info@electserwotka.com."
    )
    facts = await seeded.store.reports.digest(moment - timedelta(days=1), moment.date())
    # The name she signed up with stays: a message carrying only her id does not replace it.
    assert [(h.display_name, h.branch_code) for h in facts.help] == [("Nia", "DWP-LEEDS")]
    await sender.send(Target("console", "user", "nia"), reminder, "n1")
    assert await console.handle("2") == "Snoozed: no reminders until Wednesday 4 September 2019."
    plan = await Deliverer(seeded, {}).plan(moment, moment + timedelta(days=10))
    nias = [p.at.date() for p in plan if p.target == "nia"]
    assert nias and min(nias) >= date(2019, 9, 4)


async def test_a_late_renewal_is_made_up_at_once_unless_the_lease_has_passed_on(
    seeded: Services,
) -> None:
    from bot.runtime.leader import Lease

    sender = states.RecordingSender()
    deliverer = await states.sending(seeded, {"console": sender})
    lease = deliverer.lease
    assert lease is not None
    # A busy machine: the renewal is overdue, but no one else has the lease. The sends
    # renew it there and then, and go.
    lease._valid_until = 0.0
    report = await deliverer.sweep(datetime(2019, 9, 2, 10, 0, 30, tzinfo=LONDON))
    assert (report.sent, report.failed) == (3, 0)
    assert lease.valid
    # The lease ran out and another process took it: nothing more is sent from here.
    lease._valid_until = 0.0
    past = datetime.now(UTC) - timedelta(seconds=1)
    await seeded.store.leases.take(lease.name, lease.owner_name, past, past - timedelta(hours=1))
    other = Lease(seeded.store, "other", 60)
    assert await other.try_take() is None
    sender.sent.clear()
    report = await deliverer.sweep(datetime(2019, 9, 9, 10, 0, 30, tzinfo=LONDON))
    assert report.due > 0 and report.sent == 0
    assert sender.sent == []
    assert not lease.valid


async def test_the_hour_after_a_meeting_follows_its_start_and_stops_when_cancelled(
    seeded: Services,
) -> None:
    def mos(planned: list[Any]) -> list[tuple[str, datetime]]:
        return [
            (p.rule.id, p.at.astimezone(LONDON))
            for p in planned
            if p.target == states.MEETING.id and p.rule.id != "welcome"
        ]

    start = datetime(2019, 10, 2, 0, 0, tzinfo=LONDON)
    end = datetime(2019, 10, 5, 0, 0, tzinfo=LONDON)
    at = datetime(2019, 9, 20, 10, 0, tzinfo=LONDON)
    # Moved to the evening: it ends at 20:45, and the hour after falls in quiet hours, so
    # "How did it go?" waits for the morning, and the day's one message is that.
    await seeded.store.meetings.record(
        states.MEETING, "HMRC-BOOT", date(2019, 10, 3), date(2019, 9, 18), at, time(19, 45)
    )
    assert mos(await seeded.reminders.plan(start, end)) == [
        ("meeting-tomorrow", datetime(2019, 10, 2, 18, 0, tzinfo=LONDON)),
        ("meeting-today", datetime(2019, 10, 3, 8, 30, tzinfo=LONDON)),
        ("how-did-it-go", datetime(2019, 10, 4, 8, 0, tzinfo=LONDON)),
    ]
    # Cancelled: nothing more about the meeting; the branch is back to calling one.
    await seeded.store.meetings.cancel(states.MEETING, "HMRC-BOOT", at + timedelta(hours=1))
    left = mos(await seeded.reminders.plan(start, end + timedelta(days=1)))
    assert left == [("too-late-to-call", datetime(2019, 10, 5, 10, 0, tzinfo=LONDON))]
