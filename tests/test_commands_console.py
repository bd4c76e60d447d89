"""Every command through the console adapter, on a real SQLite file."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from bot.adapters.console import Console
from bot.campaign.domain import User
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from tests.store_rows import table_rows


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


async def test_help_lists_only_what_the_caller_may_use(alice: Console, organiser: Console) -> None:
    supporter = await say(alice, "/help")
    assert "/nominate branch:<branch> outcome:<nominated|other|none|inquorate>" in supporter
    assert "/volunteer" in supporter and "/progress" in supporter
    assert "/verify" not in supporter and "/export" not in supporter
    full = await say(organiser, "/help")
    assert (
        "/verify branch:<branch> - Mark a branch's reported nomination as verified. (organisers)"
        in full
    )
    assert "/export" in full


async def test_ask_answers_with_its_source(alice: Console) -> None:
    reply = await alice.reply_to("/ask question:when do nominations close?")
    assert reply is not None
    assert "14 October 2019" in reply.text and "5pm" in reply.text
    assert reply.source == {
        "id": "timetable.nominations_close",
        "title": "Election timetable: Branch nominations close",
    }
    text = await say(alice, "what is Mark doing about outsourced cleaners")
    assert "in-house" in text or "living wage" in text
    assert "(Source: Manifesto: Private sector and outsourced workers)" in text


async def test_ask_the_rest_of_the_line_without_an_option_name(alice: Console) -> None:
    text = await say(alice, "/ask how many branches need to nominate?")
    assert "15 branches" in text


async def test_unanswerable_question_is_queued_once_per_wording(
    alice: Console, bob: Console, services: Services
) -> None:
    text = await say(alice, "what is Mark's favourite football team?")
    assert text.startswith("I don't know")
    await say(bob, "What is Mark's favourite football team")
    queue = await services.store.questions.unanswered()
    assert [(q.asked_count, q.text) for q in queue] == [
        (2, "what is Mark's favourite football team?")
    ]


async def test_volunteer_asks_for_consent_before_storing_anything(
    alice: Console, services: Services
) -> None:
    text = await say(alice, '/volunteer branch:"DWP Leeds"')
    assert "store your Console user id, your display name, your branch (DWP Leeds)" in text
    assert "Reply with a number: 1) I agree  2) No thanks" in text
    assert await table_rows(services.store, "volunteers") == []
    assert await table_rows(services.store, "people") == []

    confirmed = await say(alice, "1")
    assert confirmed.startswith("Thanks, alice! You're signed up for DWP Leeds.")
    volunteer = await services.store.people.volunteer(User("console", "alice", "alice"))
    assert volunteer is not None
    assert volunteer.branch_code == "DWP-LEEDS"
    assert volunteer.consent_at == services.clock.now()
    assert "Union membership and support for a candidate" in volunteer.consent_text


async def test_volunteer_declined_and_moved(alice: Console, services: Services) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS")
    assert await say(alice, "2") == "No problem: nothing has been saved."
    assert await table_rows(services.store, "volunteers") == []
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    again = await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    assert again.startswith("You're already signed up for DWP Leeds")
    moved = await say(alice, "/volunteer branch:HMRC-BOOT consent:yes")
    assert "(moved from DWP Leeds)" in moved


async def test_meeting_records_and_warns(alice: Console, services: Services) -> None:
    text = await say(alice, '/meeting branch:"HMRC Bootle" date:"1 October" notice:17 Sep')
    assert text.startswith(
        "Thanks! Recorded: HMRC Bootle meeting on Tuesday 1 October 2019 at 12:30pm. "
        "Place: to be confirmed."
    )
    assert "Warning" not in text
    meeting = await services.store.meetings.current("HMRC-BOOT")
    assert meeting is not None and str(meeting.meeting_date) == "2019-10-01"
    assert str(meeting.notice_date) == "2019-09-17"

    late = await say(alice, "/meeting branch:HMRC-BOOT date:2019-10-20 notice:2019-10-01")
    assert "replaces the earlier report of a meeting on Tue 1 Oct" in late
    assert "after nominations close" in late

    short = await say(alice, "/meeting branch:HMRC-BOOT date:30 Sep notice:25 Sep")
    assert "only 5 days' notice; the rules need 14" in short


async def test_meeting_rejects_notice_after_the_meeting(alice: Console, services: Services) -> None:
    text = await say(alice, "/meeting branch:HMRC-BOOT date:1 Oct notice:2 Oct")
    assert "notice date is after the meeting" in text
    assert await table_rows(services.store, "meetings") == []


async def test_nominate_then_correct_keeps_the_history(
    alice: Console, bob: Console, services: Services
) -> None:
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    first = await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    assert first.startswith(
        "Thanks! Recorded: DWP Leeds nominated Mark Serwotka at its meeting on Mon 30 Sep."
    )
    assert "I'll count this once the meeting on Mon 30 Sep has happened" in first

    second = await say(bob, "/nominate branch:DWP-LEEDS outcome:other nominee:Someone Else")
    assert "nominated Someone Else" in second
    assert "This updates the earlier report by alice on Fri 20 Sep (kept in the history)." in second

    current = await services.store.nominations.current("DWP-LEEDS")
    assert current is not None
    assert (current.outcome, current.nominee, current.reported_by, current.report_count) == (
        "other",
        "Someone Else",
        "bob",
        2,
    )
    history = await services.store.nominations.history("DWP-LEEDS")
    assert [(h.action, h.outcome, h.display_name) for h in history] == [
        ("report", "nominated", "alice"),
        ("correction", "other", "bob"),
    ]


async def test_nominate_checks_nominee_against_outcome(alice: Console, services: Services) -> None:
    wrong = await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated nominee:Jo Bloggs")
    assert "For another candidate use outcome:other nominee:Jo Bloggs" in wrong
    none = await say(alice, "/nominate branch:DWP-LEEDS outcome:none nominee:Jo Bloggs")
    assert "leave out nominee" in none
    ours = await say(alice, "/nominate branch:DWP-LEEDS outcome:other nominee:Serwotka")
    assert "use outcome:nominated" in ours
    assert await table_rows(services.store, "nominations") == []
    ok = await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated nominee:Mark Serwotka")
    assert ok.startswith("Thanks! Recorded: DWP Leeds nominated Mark Serwotka")


async def test_progress_counts_reported_verified_and_others(
    alice: Console, organiser: Console
) -> None:
    for code in ("DWP-LEEDS", "DWP-SHEFF", "HMRC-BOOT"):
        await say(alice, f"/nominate branch:{code} outcome:nominated")
    await say(alice, "/nominate branch:MOJ-BRIS outcome:other nominee:Lloyd")
    await say(alice, "/nominate branch:MOJ-LDN outcome:other")
    await say(alice, "/nominate branch:HO-CROY outcome:none")
    await say(alice, "/meeting branch:LR-PLYM date:10 Oct notice:25 Sep")
    await say(organiser, "/verify branch:DWP-SHEFF")
    text = await say(alice, "/progress")
    assert text.splitlines() == [
        "Mark Serwotka: 0 of the 15 branches needed count so far (0 verified). 15 more to go.",
        "Reported but not counted yet: 3 branches (form not sent yet: DWP Leeds, DWP Sheffield, "
        "HMRC Bootle; meeting date not reported: DWP Leeds, DWP Sheffield, HMRC Bootle).",
        "Other candidates: 2 branches (Lloyd 1, not named 1).",
        "No nomination: 1 branch.",
        "Meetings called: 1 branch, 1 still to report a result.",
        "Nominations close in 24 days (5pm Monday 14 October 2019).",
    ]
    shared = await alice.reply_to("/progress share:true")
    assert shared is not None and shared.ephemeral is False


async def test_progress_after_the_close(alice: Console, clock: Clock) -> None:
    clock.advance(timedelta(days=30))
    text = await say(alice, "/progress")
    assert text.endswith("Nominations closed at 5pm Monday 14 October 2019.")


async def test_verify_is_for_organisers_and_needs_a_report(
    alice: Console, organiser: Console, services: Services
) -> None:
    assert await say(alice, "/verify branch:DWP-LEEDS") == (
        "Sorry, /verify is for campaign organisers only."
    )
    nothing = await say(organiser, "/verify branch:DWP-LEEDS")
    assert nothing == "Nothing has been reported for DWP Leeds yet, so there's nothing to verify."
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    verified = await say(organiser, "/verify branch:DWP-LEEDS")
    assert verified == (
        "Verified: DWP Leeds (nominated).\nWarning: it does not count towards the threshold. "
        "Not yet: meeting date not reported; form not sent yet."
    )
    again = await say(organiser, "/verify branch:DWP-LEEDS")
    assert again == "DWP Leeds was already verified by olive on Fri 20 Sep."
    current = await services.store.nominations.current("DWP-LEEDS")
    assert current is not None and current.verified_by == "olive"
    # A changed result needs verifying again; the same result keeps its verification.
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    kept = await services.store.nominations.current("DWP-LEEDS")
    assert kept is not None and kept.verified
    await say(alice, "/nominate branch:DWP-LEEDS outcome:none")
    changed = await services.store.nominations.current("DWP-LEEDS")
    assert changed is not None and not changed.verified


async def test_export_csv_for_organisers(alice: Console, organiser: Console) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    reply = await organiser.reply_to("/export")
    assert reply is not None and reply.attachment is not None
    assert reply.text == "Here is 1 nomination as CSV."
    assert reply.attachment.filename == "nominations-2019-09-20.csv"
    rows = list(csv.DictReader(io.StringIO(reply.attachment.content.decode())))
    assert rows[0]["branch_code"] == "DWP-LEEDS"
    assert rows[0]["outcome"] == "nominated"
    assert rows[0]["nominee"] == "Mark Serwotka"
    assert rows[0]["meeting_date"] == "2019-09-30"
    assert rows[0]["reported_by"] == "alice"
    assert rows[0]["platform"] == "console"
    assert rows[0]["reported_at"] == "2019-09-20T10:00:00+01:00"
    assert rows[0]["verified"] == "no"

    volunteers = await organiser.reply_to("/export what:volunteers")
    assert volunteers is not None and volunteers.attachment is not None
    rows = list(csv.DictReader(io.StringIO(volunteers.attachment.content.decode())))
    assert [(r["display_name"], r["branch_code"], r["opted_out"]) for r in rows] == [
        ("alice", "DWP-LEEDS", "no")
    ]
    meetings = await organiser.reply_to("/export what:meetings")
    assert meetings is not None and meetings.attachment is not None
    assert "DWP-LEEDS,DWP Leeds,2019-09-30,2019-09-16,alice,console" in (
        meetings.attachment.content.decode()
    )


async def test_export_defuses_spreadsheet_formulas(dispatcher: object, services: Services) -> None:
    from bot.dispatch.dispatcher import Dispatcher

    assert isinstance(dispatcher, Dispatcher)
    sneaky = Console(dispatcher, '=HYPERLINK("http://x")')
    await say(sneaky, "/nominate branch:DWP-LEEDS outcome:other nominee:+Lloyd")
    organiser = Console(dispatcher, "olive", organiser=True)
    reply = await organiser.reply_to("/export")
    assert reply is not None and reply.attachment is not None
    content = reply.attachment.content.decode()
    assert "'+Lloyd" in content and "'=HYPERLINK" in content


async def test_optout_and_optin(alice: Console, services: Services) -> None:
    assert await say(alice, "/optout") == "You're not signed up, so I won't send you reminders."
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    assert (await say(alice, "/optout")).startswith("Done: no more reminders.")
    volunteer = await services.store.people.volunteer(alice.user)
    assert volunteer is not None and volunteer.opted_out
    assert await say(alice, "/optin") == "Reminders are back on. Thanks for your help!"
    volunteer = await services.store.people.volunteer(alice.user)
    assert volunteer is not None and not volunteer.opted_out


async def test_forgetme_leaves_no_trace_of_the_caller(
    alice: Console, bob: Console, organiser: Console, services: Services
) -> None:
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    await say(alice, "/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    await say(alice, "/nominate branch:DWP-LEEDS outcome:nominated")
    await say(bob, "/nominate branch:HMRC-BOOT outcome:nominated")
    before = await say(alice, "/progress")

    text = await say(alice, "/forgetme")
    assert text == (
        "Done. I've erased your name and user id, your volunteer sign-up for DWP Leeds and "
        "your name from 2 reports (they stay as anonymous counts). Nothing about you is stored now."
    )
    for table in (
        "people",
        "volunteers",
        "meetings",
        "nominations",
        "nomination_history",
        "questions",
        "branches",
    ):
        for row in await table_rows(services.store, table):
            assert "alice" not in [str(v) for v in row], (table, row)
    assert await say(alice, "/progress") == before
    assert (
        await say(alice, "/forgetme") == "I hold nothing about you, so there was nothing to erase."
    )
    # Other people's data is untouched.
    bobs = await services.store.nominations.current("HMRC-BOOT")
    assert bobs is not None and bobs.reported_by == "bob"


async def test_a_full_question_queue_says_the_question_was_not_kept(
    alice: Console, services: Services
) -> None:
    for n in range(20):
        reply = await alice.handle(f"what is the airspeed of swallow number {n}?")
        assert reply is not None and "passed your question to the organisers" in reply
    reply = await alice.handle("what is the airspeed of swallow number 20?")
    assert reply is not None
    assert "You already have 20 questions waiting" in reply
    assert "haven't kept this one" in reply
    assert len(await services.store.questions.unanswered(limit=100)) == 20
