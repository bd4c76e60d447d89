"""The campaign at moments other than 20 September, through the console: each test is a
defect a new user found by trying the bot mid-campaign, after the close or after the
ballot, reproduced at the moment it happens."""

from __future__ import annotations

import asyncio
import csv
import io
import subprocess
from datetime import datetime

from bot.adapters.console import Console
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from tests.conftest import CAMPAIGN, LONDON, mobilise_command
from tests.store_rows import table_rows


def at(month: int, day: int, hour: int = 10, year: int = 2019) -> datetime:
    return datetime(year, month, day, hour, 0, tzinfo=LONDON)


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


async def test_pipeline_once_a_meeting_has_passed_unreported(
    alice: Console, bob: Console, organiser: Console, clock: Clock
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(bob, "/meeting branch:HMRC-BOOT date:1 Oct notice:16 Sep")
    clock.set(at(10, 3))  # the meeting has passed; nobody has reported its result
    reply = await say(organiser, "/pipeline")
    assert "went wrong" not in reply
    assert "meeting held: 1" in reply
    assert "volunteer signed up: 1" in reply
    for scope in ("region:North", "group:HMRC", "region:Nowhere"):
        assert "went wrong" not in await say(organiser, f"/pipeline {scope}")


async def test_a_result_for_a_meeting_still_to_come_is_held(
    alice: Console, organiser: Console, clock: Clock, services: Services
) -> None:
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    reported = await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    assert "I'll count this once the meeting on Mon 30 Sep has happened" in reported
    assert "reported for Mark" not in reported
    branch = await say(alice, "/branch branch:DWP-LEEDS")
    assert "Will it count? Not yet: meeting not held yet; form not sent yet." in branch
    progress = await say(alice, "/progress")
    assert "0 of the 15 branches needed count so far" in progress
    assert "Reported but not counted yet" not in progress  # not reported until it is held
    assert "Held until their meeting has happened: DWP Leeds (Mon 30 Sep)." in progress
    refused = await say(organiser, "/verify branch:DWP-LEEDS")
    assert refused == (
        "DWP Leeds's result is for its meeting on Mon 30 Sep, which has not happened yet: "
        "verify it once the meeting has been held. Nothing has been changed."
    )
    assert len(await table_rows(services.store, "nomination_history")) == 1  # the report
    clock.set(at(9, 30, 20))  # the evening of the meeting
    await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    assert "Will it count? Yes" in await say(alice, "/branch branch:DWP-LEEDS")
    progress = await say(alice, "/progress")
    assert "1 of the 15 branches needed count so far" in progress
    assert "Held until" not in progress
    assert (await say(organiser, "/verify branch:DWP-LEEDS")).startswith("Verified: DWP Leeds")


async def test_a_result_after_the_meeting_is_reported_at_once(alice: Console, clock: Clock) -> None:
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    clock.set(at(10, 1))
    reported = await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    assert "That makes 1 branch reported for Mark (15 needed)." in reported
    assert "I'll count this" not in reported


async def test_a_form_sent_before_the_meeting_is_refused(
    alice: Console, clock: Clock, services: Services
) -> None:
    await say(alice, "/meeting branch:DWP-LEEDS date:1 Oct notice:16 Sep")
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    refused = await say(alice, "/formsent branch:DWP-LEEDS official:Tom Jones")
    assert refused == (
        "The form records what DWP Leeds's meeting on Tue 1 Oct decided, so it goes in on or "
        "after that day: report it once it has been sent. Nothing has been saved."
    )
    assert len(await table_rows(services.store, "nomination_history")) == 1  # the report
    clock.set(at(10, 2))
    branch = await say(alice, "/branch branch:DWP-LEEDS")
    assert "Will it count? Not yet: form not sent yet." in branch
    dated = await say(alice, "/formsent branch:DWP-LEEDS official:Tom Jones date:30 Sep")
    assert dated.startswith("The form records what DWP Leeds's meeting on Tue 1 Oct decided")
    on_the_day = await say(alice, "/formsent branch:DWP-LEEDS official:Tom Jones date:1 Oct")
    assert on_the_day.startswith("Thanks! Recorded: DWP Leeds's form sent on Tuesday 1 October")
    assert "Will it count? Yes" in await say(alice, "/branch branch:DWP-LEEDS")


async def test_a_meeting_moved_after_its_form_stops_counting(alice: Console, clock: Clock) -> None:
    await say(alice, "/meeting branch:DWP-LEEDS date:23 Sep notice:6 Sep")
    clock.set(at(9, 24))
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(alice, "/formsent branch:DWP-LEEDS official:Tom Jones")
    assert "Will it count? Yes" in await say(alice, "/branch branch:DWP-LEEDS")
    await say(alice, "/meeting branch:DWP-LEEDS date:25 Sep notice:9 Sep")  # a correction
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated date:25 Sep")
    clock.set(at(9, 26))
    branch = await say(alice, "/branch branch:DWP-LEEDS")
    assert "Will it count? Not yet: form dated before the meeting." in branch


async def test_the_close_is_five_pm_to_the_minute(alice: Console, clock: Clock) -> None:
    for code in ("DWP-LEEDS", "HMRC-BOOT"):
        await say(alice, f"/meeting branch:{code} date:1 Oct notice:16 Sep")
    clock.set(at(10, 2))
    for code in ("DWP-LEEDS", "HMRC-BOOT"):
        await say(alice, f"/nominate branch:{code} outcome:nominated")
    clock.set(datetime(2019, 10, 14, 16, 59, tzinfo=LONDON))
    in_time = await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    assert "Warning" not in in_time
    clock.set(datetime(2019, 10, 14, 17, 1, tzinfo=LONDON))
    late = await say(alice, "/formsent branch:HMRC-BOOT official:Jo Bloggs")
    assert "Warning: that is after the deadline (5pm on Monday 14 October 2019)" in late
    assert "Will it count? Yes" in await say(alice, "/branch branch:DWP-LEEDS")
    assert "Will it count? No: form sent after the deadline." in await say(
        alice, "/branch branch:HMRC-BOOT"
    )
    assert "1 of the 15 branches needed counted" in await say(alice, "/progress")


async def test_a_meeting_before_nominations_open_never_counts(alice: Console, clock: Clock) -> None:
    clock.set(at(8, 20))
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Aug notice:14 Aug")
    clock.set(at(8, 31))
    reported = await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    assert "Warning: that meeting was before nominations opened (Monday 2 September 2019)" in (
        reported
    )
    await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    clock.set(at(9, 20))
    branch = await say(alice, "/branch branch:DWP-LEEDS")
    assert "Will it count? No: meeting before nominations opened." in branch
    progress = await say(alice, "/progress")
    assert "0 of the 15 branches needed count so far" in progress
    assert "meeting before nominations opened: DWP Leeds" in progress


async def test_form_sent_on_time_reported_after_the_close(alice: Console, clock: Clock) -> None:
    await say(alice, "/meeting branch:DWP-LEEDS date:1 Oct notice:16 Sep")
    await say(alice, "/meeting branch:HMRC-BOOT date:1 Oct notice:16 Sep")
    clock.set(at(10, 2))
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(alice, "/nominate branch:HMRC-BOOT outcome:nominated")
    clock.set(at(10, 15, 9))  # the morning after the close
    on_time = await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs date:14 Oct")
    assert "Warning" not in on_time
    assert "Will it count? Yes" in await say(alice, "/branch branch:DWP-LEEDS")
    late = await say(alice, "/formsent branch:HMRC-BOOT official:Jo Bloggs")
    assert "does not count" in late
    branch = await say(alice, "/branch branch:HMRC-BOOT")
    assert "Will it count? No: form sent after the deadline." in branch
    assert "Not yet" not in branch
    future = await say(alice, "/formsent branch:HMRC-BOOT official:Jo Bloggs date:20 Oct")
    assert "has not come yet" in future


async def test_verify_warns_and_export_says_why(
    organiser: Console, alice: Console, clock: Clock
) -> None:
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:20 Sep")  # 10 days
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated date:30 Sep")
    clock.set(at(10, 1))  # the meeting has been held: the result can be verified
    verified = await say(organiser, "/verify branch:DWP-LEEDS")
    assert "Warning: it does not count towards the threshold. No: only 10 days' notice" in (
        verified
    )
    assert "Will it count? No: only 10 days' notice." in await say(
        alice, "/branch branch:DWP-LEEDS"
    )
    reply = await organiser.reply_to("/export")
    assert reply is not None and reply.attachment is not None
    (row,) = list(csv.DictReader(io.StringIO(reply.attachment.content.decode())))
    assert row["notice_date"] == "2019-09-20"
    assert row["form_sent_on"] == "" and row["official"] == ""
    assert row["counts"] == "no"
    assert "only 10 days' notice" in row["reasons"] and "form not sent yet" in row["reasons"]
    assert row["reason_codes"] == "short-notice no-form"


async def test_chart_draws_what_counts(
    alice: Console, organiser: Console, services: Services, clock: Clock
) -> None:
    from bot.views.chart import counts_on, daily_series

    # Two nominations reported; one had too little notice, so only one ever counts.
    await say(alice, "/meeting branch:DWP-LEEDS date:1 Oct notice:16 Sep")
    await say(alice, "/meeting branch:HMRC-BOOT date:1 Oct notice:25 Sep")
    clock.set(at(10, 1, 20))
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(alice, "/nominate branch:HMRC-BOOT outcome:nominated")
    await say(alice, "/formsent branch:DWP-LEEDS official:Jo Bloggs")
    await say(alice, "/formsent branch:HMRC-BOOT official:Jo Bloggs")
    clock.set(at(10, 16))
    await say(organiser, "/verify branch:DWP-LEEDS")
    store = services.store
    campaign = services.campaign
    series = daily_series(
        await store.nominations.timeline(),
        campaign.nominations_open.date(),
        campaign.ballot_close.date(),
        LONDON,
        counts_on(await store.branches.facts(), campaign),
    )
    last = {key: points[-1] for key, points in series.items()}
    assert last["reported"][1] == 2
    assert last["counted"][1] == 1
    assert last["verified"][1] == 1
    assert last["counted"][0] == campaign.ballot_close.date()  # drawn to the ballot
    before = dict(series["counted"])
    assert before[at(9, 30).date()] == 0
    reply = await organiser.reply_to("/progress chart:true")
    assert reply is not None and reply.attachment is not None
    assert reply.attachment.content.startswith(b"\x89PNG")
    assert "1 of the 15 branches needed counted" in reply.text


async def test_mydata_after_the_purge_date(alice: Console, clock: Clock) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    clock.set(at(1, 12, 9, year=2020))
    reply = await say(alice, "/mydata")
    last = reply.splitlines()[-1]  # (the consent quoted above it names the date)
    assert "after Saturday 11 January 2020" not in last
    assert "deleted at the next sweep" in last


def console_at(
    services: Services, now: str, command: str, *lines: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            *mobilise_command(),
            "--db",
            services.settings.database_url,
            "--campaign",
            str(CAMPAIGN),
            "--now",
            now,
            *command.split(),
        ],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_purge_at_start_up_and_from_send_due(alice: Console, services: Services) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    # Started the day before the purge date: nothing goes.
    early = await asyncio.to_thread(
        console_at, services, "2020-01-10T09:00", "console --as alice", "/mydata"
    )
    assert "Volunteer for DWP Leeds" in early.stdout, early.stderr
    # The console started after the purge date: the data has gone before the first line.
    started = await asyncio.to_thread(
        console_at, services, "2020-01-11T00:30", "console --as alice", "/mydata"
    )
    assert "I hold nothing about you." in started.stdout, started.stderr
    assert await table_rows(services.store, "people") == []
    # The cron path, with no platform to send on, purges too.
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    cron = await asyncio.to_thread(console_at, services, "2020-01-11T01:30", "send-due")
    assert cron.returncode == 2  # nothing to send on, but purged all the same
    assert await table_rows(services.store, "people") == []


async def test_advice_follows_the_phase(alice: Console, clock: Clock) -> None:
    clock.set(at(10, 16))
    helping = await say(alice, "what can I do to help?")
    assert "nomination meeting" not in helping and "Nominations closed" in helping
    progress = await say(alice, "/progress")
    assert "more to go" not in progress and "Nominations have closed" in progress
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    assert "Next step: nominations have closed" in await say(alice, "/branch branch:DWP-LEEDS")
    clock.set(at(11, 20))
    assert "Vote for" in await say(alice, "what can I do to help?")
    clock.set(at(12, 13))
    signed = await say(alice, "/volunteer branch:HMRC-BOOT consent:yes")
    assert "remind" not in signed.replace("nothing more to remind you about", "")
    assert "meeting" not in signed
