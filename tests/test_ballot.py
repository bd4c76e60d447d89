"""The ballot: /voted, /pledge and /ballot, vote reminders that stop for those who voted,
the ballot export, /progress and chart during the ballot, and the pack's ballot facts."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import yaml
from PIL import Image

from bot.adapters.console import Console
from bot.app import open_services
from bot.campaign.domain import NominationReport, User
from bot.campaign.loading import load_campaign
from bot.dispatch.dispatcher import Dispatcher
from bot.errors import PackError
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from schedules.deliver import Deliverer
from schedules.plans import Planned
from tests import reminder_state as states
from tests.conftest import CAMPAIGN, LONDON, Screen, mobilise_command
from tests.experiment_groups import hashed_group
from tests.store_rows import table_rows

NOV_20 = datetime(2019, 11, 20, 10, 0, tzinfo=LONDON)
CLOSE = datetime(2019, 12, 12, 12, 0, tzinfo=LONDON)


async def say(console: Console, line: str) -> str:
    text = await console.handle(line)
    assert text is not None
    return text


@pytest.fixture
async def ballot(database_url: str) -> AsyncIterator[Services]:
    """Services on 20 November 2019, in the ballot; SQLite and PostgreSQL alike."""
    settings = Settings(database_url=database_url, campaign=CAMPAIGN)
    clock = Clock(LONDON, start=NOV_20, frozen=True)
    async with open_services(settings, clock=clock) as services:
        yield services


def person(services: Services, name: str, organiser: bool = False) -> Console:
    return Console(Dispatcher(services), name, organiser=organiser)


# --- the acceptance: /voted in the console, then `mobilise schedule` --------------------


def cli(db: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    return subprocess.run(
        [*mobilise_command(), "--db", db, "--campaign", str(CAMPAIGN), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )


def test_voted_stops_that_volunteers_reminders_only(tmp_path: Path) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    now = ("--now", "2019-11-20T10:00")
    for name in ("alice", "bob"):
        cli(db, *now, "console", "--as", name, stdin="/volunteer branch:DWP-LEEDS consent:yes\n")
    voted = cli(db, *now, "console", "--as", "alice", stdin="/voted\n")
    assert "Thank you for voting! Your vote reminders have stopped." in voted.stdout
    listed = cli(db, *now, "schedule", "--from", "2019-11-20", "--to", "2019-12-12", "--json")
    plan = [json.loads(line) for line in listed.stdout.splitlines()]
    votes = [i for i in plan if i["phase"] == "ballot" and i["audience"] == "volunteer"]
    bobs = [(i["rule"], i["at"][:16]) for i in votes if i["recipient"] == "console:bob"]
    assert bobs == [
        ("ballot-welcome", "2019-11-20T10:00"),  # on signing up
        ("ballot-last-call", "2019-12-09T09:00"),  # posted that day, it is in by the 12th
    ]
    assert not [i for i in plan if i["recipient"] == "console:alice"]


# --- the whole ballot, hour by hour, through the real sender -----------------------------


def expected_ballot_messages(
    signed_up: dict[str, datetime],
    voted: dict[str, datetime],
    snoozed: dict[str, tuple[datetime, datetime]],
    left_out: set[str],
) -> set[tuple[str, str, datetime]]:
    """The vote reminders the pack asks for, worked out from the YAML alone."""
    pack = {
        f: yaml.safe_load((CAMPAIGN / f).read_text()) for f in ("ballot.yaml", "reminders.yaml")
    }
    timetable = yaml.safe_load((CAMPAIGN / "campaign.yaml").read_text())["timetable"]
    opens: date = timetable["ballot_open"]["at"]
    closes = datetime.fromisoformat(str(timetable["ballot_close"]["at"]))
    days = {
        "papers_arrive": opens + timedelta(days=pack["ballot.yaml"]["papers_arrive_days"]),
        "last_posting_day": closes.date() - timedelta(days=pack["ballot.yaml"]["posting_days"]),
    }
    expected = set()
    for rule in pack["reminders.yaml"]["rules"]:
        if rule.get("phase") != "ballot" or rule["audience"] != "volunteer":
            continue
        for name, joined in signed_up.items():
            if name in left_out:
                continue
            if "signup" in rule:
                moment = joined if time(8) <= joined.time() < time(21) else None
                moment = moment or datetime.combine(joined.date() + timedelta(days=1), time(8))
                moment = moment.replace(tzinfo=LONDON)
                if joined < datetime.combine(opens, time(0), tzinfo=LONDON):
                    continue
            else:
                at = rule["at"]
                day = days[at["anchor"]] + timedelta(days=at.get("days", 0))
                moment = datetime.combine(day, time.fromisoformat(at["time"]), tzinfo=LONDON)
                if moment < joined:
                    continue
            if name in voted and voted[name] <= moment:
                continue
            if name in snoozed and snoozed[name][0] <= moment < snoozed[name][1]:
                continue
            if rule.get("variants") and hashed_group(rule, f"console:{name}") == "holdout":
                continue  # a wording experiment's holdout gets nothing from the rule
            expected.add((rule["id"], name, moment))
    return expected


async def test_the_whole_ballot_hour_by_hour(settings: Settings) -> None:
    start = datetime(2019, 11, 5, 0, 0, tzinfo=LONDON)
    clock = Clock(LONDON, start=start - timedelta(days=20), frozen=True)
    async with open_services(settings, clock=clock) as services:
        store = services.store
        joined = clock.now()
        signed_up = dict.fromkeys(("vera", "vic", "olly", "dee", "una", "sid"), joined)
        for name in signed_up:
            await say(person(services, name), "/volunteer branch:DWP-LEEDS consent:yes")
        await say(person(services, "dee2"), "/volunteer branch:DWP-SHEFF consent:yes")
        signed_up["dee2"] = joined  # her branch nominated: she still has a vote
        await store.nominations.record(
            NominationReport(
                "DWP-SHEFF",
                "nominated",
                None,
                date(2019, 9, 20),
                User("console", "dee2", "dee2"),
                joined,
            )
        )
        await say(person(services, "olly"), "/optout")
        await store.deliveries.subscribe(
            "console", states.CHANNEL, User("console", "olive", "olive"), joined
        )
        sender = states.RecordingSender(unreachable=frozenset({"una"}))
        deliverer = await states.sending(services, {"console": sender})
        await deliverer.sweep(start)

        events = {
            datetime(2019, 11, 15, 14, 20, tzinfo=LONDON): ("vic", "/voted"),
            datetime(2019, 11, 16, 12, 0, tzinfo=LONDON): ("sid", "/snooze"),
            datetime(2019, 11, 20, 22, 30, tzinfo=LONDON): (
                "nate",
                "/volunteer branch:HMRC-BOOT consent:yes",
            ),
        }
        hour = start
        end = datetime(2019, 12, 14, 0, 0, tzinfo=LONDON)
        while hour < end:
            for moment, (name, line) in events.items():
                if hour - timedelta(hours=1) < moment <= hour:
                    clock.set(moment)
                    await say(person(services, name), line)
            clock.set(hour)
            await deliverer.sweep(hour)
            hour += timedelta(hours=1)

        records = await store.deliveries.all()
        sent = [r for r in records if r.status == "sent"]
        assert len(sender.sent) == len(sent)  # each sent once, and recorded
        assert len({r.key for r in records}) == len(records)
        for record in sent:
            due = record.due_at.astimezone(LONDON)
            if record.audience != "channel":
                assert time(8) <= due.time() < time(21), record
            if record.rule_id.startswith("ballot") or record.rule_id.endswith("vote"):
                assert due < CLOSE, record
        people = {
            f"person:{v.person_id}": v.platform_user_id for v in await store.reports.volunteers()
        }
        got = {
            (r.rule_id, people[r.recipient], r.due_at.astimezone(LONDON))
            for r in sent
            if r.audience == "volunteer"
        }
        signed_up["nate"] = datetime(2019, 11, 20, 22, 30, tzinfo=LONDON)
        expected = expected_ballot_messages(
            signed_up,
            voted={"vic": datetime(2019, 11, 15, 14, 20, tzinfo=LONDON)},
            snoozed={
                "sid": (
                    datetime(2019, 11, 16, 12, tzinfo=LONDON),
                    datetime(2019, 11, 18, 12, tzinfo=LONDON),
                )
            },
            left_out={"olly", "una"},
        )
        assert got == expected
        assert {name for _, name, _ in got} == {"vera", "vic", "dee", "dee2", "sid", "nate"}
        (una,) = [r for r in records if people.get(r.recipient) == "una"]
        assert una.status == "undeliverable"
        channel = sorted(
            (r.rule_id, r.due_at.astimezone(LONDON).date()) for r in sent if r.audience == "channel"
        )
        assert channel == [
            ("ballot-opens", date(2019, 11, 7)),
            ("last-week-to-vote", date(2019, 12, 5)),
        ]
        buttons = {
            tuple(b.label for b in reply.buttons)
            for target, reply in sender.replies
            if target.kind == "user"
        }
        assert buttons == {("Voted", "Pledge", "Not arrived")}


HOSTILE_RULES = """
  - id: ballot-nightly
    audience: volunteer
    phase: ballot
    every: {days: 1, time: "23:30"}
    from: {anchor: ballot_open}
    until: {anchor: ballot_close}
    text: "{name}, vote!"
  - id: ballot-after-the-close
    audience: volunteer
    phase: ballot
    at: {anchor: ballot_close, time: "15:00"}
    text: "Too late, {name}."
  - id: ballot-channel-after-the-close
    audience: channel
    phase: ballot
    at: {anchor: ballot_close, days: 1, time: "09:00"}
    text: "Thank you all."
"""


async def test_every_hour_of_the_ballot_even_with_rules_that_reach_past_it(
    tmp_path: Path, db_path: Path
) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(CAMPAIGN, pack)
    reminders = pack / "reminders.yaml"
    text = reminders.read_text()
    reminders.write_text(
        text.replace("\n  # --- organisers", HOSTILE_RULES + "\n  # --- organisers", 1)
    )
    settings = Settings(database_url=f"sqlite+aiosqlite:///{db_path}", campaign=pack)
    clock = Clock(LONDON, start=datetime(2019, 11, 1, 12, 0, tzinfo=LONDON), frozen=True)
    async with open_services(settings, clock=clock) as services:
        assert {"ballot-nightly", "ballot-after-the-close"} <= {
            r.id for r in services.campaign.reminders
        }
        for name in ("vera", "olly", "vic"):
            await say(person(services, name), "/volunteer branch:DWP-LEEDS consent:yes")
        await say(person(services, "olly"), "/optout")
        clock.set(datetime(2019, 11, 8, 9, 0, tzinfo=LONDON))
        await say(person(services, "vic"), "/voted")
        await services.store.deliveries.subscribe(
            "console", states.CHANNEL, User("console", "olive", "olive"), clock.now()
        )
        deliverer = Deliverer(services, {})
        hour = datetime(2019, 11, 6, 0, 0, tzinfo=LONDON)
        seen: list[Planned] = []
        while hour < datetime(2019, 12, 15, tzinfo=LONDON):
            seen += await deliverer.plan(hour, hour + timedelta(hours=1))
            hour += timedelta(hours=1)
    ballot = [p for p in seen if p.rule.phase == "ballot"]
    nightly = [p.at for p in ballot if p.rule.id == "ballot-nightly"]
    # 23:30 each night waits for 08:00 the next morning, the last on closing day before
    # noon; one message a day, so the pack's own vote reminders win on their days.
    assert {p.time() for p in nightly} == {time(8)}
    days = {p.date() for p in nightly}
    every = {date(2019, 11, 8) + timedelta(days=n) for n in range(35)}
    assert days == every - {date(2019, 11, 11), date(2019, 11, 18), date(2019, 12, 9)}
    assert all(p.at < CLOSE for p in ballot)
    assert "ballot-after-the-close" not in {p.rule.id for p in ballot}
    assert "ballot-channel-after-the-close" not in {p.rule.id for p in ballot}
    personal = [p for p in ballot if p.audience == "volunteer"]
    assert all(time(8) <= p.at.astimezone(LONDON).time() < time(21) for p in personal)
    assert {p.target for p in personal} == {"vera"}  # olly opted out, vic voted


# --- the commands, through the console adapter -----------------------------------------


async def test_voted_before_during_and_after_the_ballot(ballot: Services) -> None:
    alice = person(ballot, "alice")
    stranger = await say(alice, "/voted")
    assert stranger.startswith("Thank you for voting! You're not signed up, so I hold nothing")
    assert await table_rows(ballot.store, "ballot_actions") == []
    # Nothing was kept of that: signing up asks to be told again.
    signed = await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    assert "I'll remind you to vote while the ballot is open: voted already? Say /voted." in signed
    first = await say(alice, "/voted")
    assert "Your vote reminders have stopped. Volunteers in DWP Leeds who have voted: 1." in first
    assert "/voted undo:true takes it back" in first
    assert "1) Pledge" in first
    assert (await say(alice, "/voted")).startswith("You'd already told me you voted")
    undone = await say(alice, "/voted undo:true")
    assert undone == "Taken back: I'll remind you to vote until the ballot closes."
    assert not [r for r in await table_rows(ballot.store, "ballot_actions") if r[1]]  # voted_at
    ballot.clock.set(datetime(2019, 10, 1, 10, 0, tzinfo=LONDON))
    early = await say(alice, "/voted")
    assert "hasn't opened yet: papers are posted from Thursday 7 November 2019" in early
    ballot.clock.set(datetime(2019, 12, 12, 12, 0, tzinfo=LONDON))
    late = await say(alice, "/voted")
    assert late.startswith("The ballot closed at 12 noon on Thursday 12 December 2019.")
    assert not [r for r in await table_rows(ballot.store, "ballot_actions") if r[1]]  # voted_at


async def test_pledges_add_up_per_volunteer_and_per_branch(ballot: Services) -> None:
    alice, bob, cara = (person(ballot, n) for n in ("alice", "bob", "cara"))
    refused = await say(alice, "/pledge count:3")
    assert "sign up first" in refused and "Nothing has been saved." in refused
    for who, branch in ((alice, "DWP-LEEDS"), (bob, "DWP-LEEDS"), (cara, "HMRC-BOOT")):
        await say(who, f"/volunteer branch:{branch} consent:yes")
    assert "3 asked by you so far, 3 by volunteers in DWP Leeds" in await say(
        alice, "/pledge count:3"
    )
    assert "2 asked by you so far, 5 by volunteers in DWP Leeds" in await say(
        bob, "/pledge count:2"
    )
    asked = await say(alice, "/pledge")  # no count: pick one (the 4th is 5)
    assert "How many colleagues have you asked to vote?" in asked
    assert "1) 1  2) 2  3) 3  4) 5  5) 10" in asked
    assert "8 asked by you so far, 10 by volunteers in DWP Leeds" in await say(alice, "4")
    assert "1 asked by you so far, 1 by volunteers in HMRC Bootle" in await say(
        cara, "/pledge count:1"
    )
    assert (await say(alice, "/pledge count:0")) == "count: should be at least 1."
    assert (await say(alice, "/pledge count:500")) == "count: should be at most 50."
    turnout = {
        b.code: (b.volunteers, b.voted, b.pledged) for b in await ballot.store.ballot.turnout()
    }
    assert turnout == {"DWP-LEEDS": (2, 0, 10), "HMRC-BOOT": (1, 0, 1)}


async def test_ballot_says_dates_how_to_vote_and_what_if_no_paper(ballot: Services) -> None:
    alice = person(ballot, "alice")
    text = await say(alice, "/ballot")
    lines = text.splitlines()
    assert lines[0] == (
        "The ballot is open. 22 days left: it closes at 12 noon on Thursday 12 December 2019."
    )
    assert "statutory postal ballot run by an independent scrutineer, Electoral Reform" in text
    assert "should be with you by about Monday 11 November 2019" in text
    assert "post it by Monday 9 December 2019: allow 3 days for the post" in text
    assert "Paper not arrived? If your ballot paper has not arrived by Monday 11 November" in text
    assert "info@electserwotka.com" in text
    assert "For organisers" not in text and "Reply with a number" not in text
    await say(alice, "/volunteer branch:DWP-LEEDS consent:yes")
    mine = await say(alice, "/ballot")
    assert "You haven't told me you voted yet; you've asked 0 colleagues to vote." in mine
    assert "Reply with a number: 1) Voted  2) Pledge  3) Not arrived" in mine
    assert (await say(alice, "3")).startswith("If your ballot paper has not arrived by")
    await say(alice, "/ballot")
    assert "Your vote reminders have stopped." in await say(alice, "1")
    olive = await say(person(ballot, "olive", organiser=True), "/ballot")
    assert "For organisers, still to fill in campaign/ballot.yaml: papers_arrive_days:" in olive
    assert "posting_days:" in olive and "replacement:" in olive
    ballot.clock.set(datetime(2019, 10, 28, 9, 0, tzinfo=LONDON))
    before = await say(alice, "/ballot")
    assert before.startswith("The ballot opens on Thursday 7 November 2019 (in 10 days)")
    ballot.clock.set(datetime(2019, 11, 8, 9, 0, tzinfo=LONDON))
    early = await say(alice, "/notarrived")
    assert early.startswith("Papers should arrive by about Monday 11 November 2019, so yours")


async def test_vote_reminder_buttons_in_the_console(ballot: Services) -> None:
    ballot.clock.set(datetime(2019, 11, 1, 9, 0, tzinfo=LONDON))
    nia = person(ballot, "nia")
    await say(nia, "/volunteer branch:DWP-LEEDS consent:yes")
    moment = datetime(2019, 11, 11, 10, 0, 30, tzinfo=LONDON)
    ballot.clock.set(moment)
    sender = states.RecordingSender()
    await (await states.sending(ballot, {"console": sender})).sweep(moment)
    ((target, reminder),) = sender.replies
    assert target.id == "nia" and reminder.text.startswith("nia, your ballot paper should have")
    screen = Screen()
    out = screen.writes
    console = Console(Dispatcher(ballot), "nia", out=screen)  # type: ignore[arg-type]
    await console.send(target, reminder, "n1")
    assert "Reply with a number: 1) Voted  2) Pledge  3) Not arrived" in out[0]
    assert "tell the campaign at info@electserwotka.com" in await say(console, "3")
    await console.send(target, reminder, "n1")
    assert "How many colleagues" in await say(console, "2")
    assert "2 asked by you so far" in await say(console, "2")
    await console.send(target, reminder, "n1")
    assert "Your vote reminders have stopped." in await say(console, "1")
    later = await Deliverer(ballot, {}).plan(moment, CLOSE)
    assert [p for p in later if p.target == "nia"] == []


# --- for organisers: /progress, the chart, the export ----------------------------------


async def test_progress_shows_the_ballot_by_region_and_branch(ballot: Services) -> None:
    for name, branch in (("alice", "DWP-LEEDS"), ("bob", "DWP-LEEDS"), ("cara", "HMRC-BOOT")):
        await say(person(ballot, name), f"/volunteer branch:{branch} consent:yes")
    await say(person(ballot, "alice"), "/voted")
    await say(person(ballot, "alice"), "/pledge count:4")
    await say(person(ballot, "cara"), "/pledge count:2")
    reply = await person(ballot, "olive").reply_to("/progress chart:true")
    assert reply is not None
    lines = reply.text.splitlines()
    assert lines[-3:] == [
        "Ballot (Wed 20 Nov): volunteers who have voted: 1 of 3; colleagues they have asked "
        "to vote: 6.",
        "By region: North West 0 voted, 2 asked; Yorkshire & Humberside 1 voted, 4 asked.",
        "By branch: DWP Leeds 1 voted, 4 asked; HMRC Bootle 0 voted, 2 asked.",
    ]
    assert reply.attachment is not None
    image = Image.open(io.BytesIO(reply.attachment.content))
    assert image.width == 1000 and image.height > 600  # the ballot panel under the tally
    ballot.clock.set(datetime(2019, 10, 1, 10, 0, tzinfo=LONDON))
    before = await person(ballot, "olive").reply_to("/progress chart:true")
    assert before is not None and "Ballot" not in before.text
    assert before.attachment is not None
    assert Image.open(io.BytesIO(before.attachment.content)).size == (1000, 600)


async def test_export_what_ballot(ballot: Services) -> None:
    for name, branch in (("alice", "DWP-LEEDS"), ("bob", "DWP-LEEDS"), ("cara", "HMRC-BOOT")):
        await say(person(ballot, name), f"/volunteer branch:{branch} consent:yes")
    await say(person(ballot, "alice"), "/voted")
    await say(person(ballot, "bob"), "/voted")
    await say(person(ballot, "bob"), "/pledge count:5")
    reply = await person(ballot, "olive", organiser=True).reply_to("/export what:ballot")
    assert reply is not None and reply.text == "Here are 2 branches as CSV."
    assert reply.attachment is not None and reply.attachment.filename == "ballot-2019-11-20.csv"
    chat = reply.attachment.content.decode()
    printed = await asyncio.to_thread(
        cli, ballot.settings.database_url, "--now", "2019-11-20T10:00", "export", "--what", "ballot"
    )
    assert printed.stdout == chat
    assert list(csv.reader(io.StringIO(chat))) == [
        ["branch_code", "branch_name", "voted", "pledged"],
        ["DWP-LEEDS", "DWP Leeds", "2", "5"],
        ["HMRC-BOOT", "HMRC Bootle", "0", "0"],
    ]


# --- personal data ---------------------------------------------------------------------


async def test_mydata_forgetme_and_the_purge_cover_the_ballot(ballot: Services) -> None:
    alice, bob = person(ballot, "alice"), person(ballot, "bob")
    for who in (alice, bob):
        await say(who, "/volunteer branch:DWP-LEEDS consent:yes")
        await say(who, "/voted")
        await say(who, "/pledge count:3")
    mine = await say(alice, "/mydata")
    assert "Ballot: you said you voted (Wed 20 Nov 10am); colleagues you asked to vote: 3." in mine
    await say(alice, "/forgetme")
    assert "Ballot" not in await say(alice, "/mydata")
    assert len(await table_rows(ballot.store, "ballot_actions")) == 1
    (leeds,) = await ballot.store.ballot.turnout()
    assert (leeds.volunteers, leeds.voted, leeds.pledged) == (1, 1, 3)
    dry = await ballot.store.privacy.purge(dry_run=True)
    assert dry.people == 1
    assert len(await table_rows(ballot.store, "ballot_actions")) == 1
    await ballot.store.privacy.purge()
    assert await table_rows(ballot.store, "ballot_actions") == []
    # The branch's figures stay, as a per-branch tally.
    assert await ballot.store.ballot.turnout() == [leeds]
    await ballot.store.privacy.purge()  # a second purge adds nothing twice
    assert await ballot.store.ballot.turnout() == [leeds]


# --- the pack --------------------------------------------------------------------------


def test_the_pack_carries_the_ballot_facts_and_marks_its_placeholders() -> None:
    campaign = load_campaign(CAMPAIGN)
    assert campaign.ballot is not None
    assert {p.key for p in campaign.ballot.placeholders} == {
        "papers_arrive_days",
        "posting_days",
        "replacement",
    }
    assert campaign.ballot.missing_paper.replacement is None
    faq = {e.id: e for e in campaign.faq}
    assert {"ballot-papers-arrive", "ballot-last-post", "ballot-missing-paper"} <= set(faq)
    assert "how-to-vote" in faq and "ballot-how-to-vote" not in faq  # faq.yaml has it
    answer = campaign.fill(faq["ballot-last-post"].answer)
    assert "post it by Monday 9 December 2019" in answer
    assert campaign.anchor("last_posting_day").date() == date(2019, 12, 9)


def edited_pack(tmp_path: Path, old: str, new: str, file: str = "ballot.yaml") -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(CAMPAIGN, pack)
    path = pack / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return pack


def test_a_filled_in_replacement_comes_first_in_the_answer(tmp_path: Path) -> None:
    pack = edited_pack(
        tmp_path,
        "  replacement: null",
        "  replacement: Ask the scrutineer for a new paper by {last_posting_day}.",
    )
    pack_text = (pack / "ballot.yaml").read_text()
    start = pack_text.index("  - key: replacement")
    (pack / "ballot.yaml").write_text(pack_text[:start])
    campaign = load_campaign(pack)
    answer = campaign.fill(next(e.answer for e in campaign.faq if e.id == "ballot-missing-paper"))
    assert answer.startswith("Ask the scrutineer for a new paper by Monday 9 December 2019. If")


@pytest.mark.parametrize(
    ("old", "new", "file", "message"),
    [
        (
            "  - key: replacement\n",
            "  - key: nothing\n",
            "ballot.yaml",
            "ballot.yaml, line",
        ),
        (
            "  - key: replacement\n    why: >-\n      The sources do not say who issues",
            "  - key: papers_arrive_days\n    why: >-\n      The sources do not say who issues",
            "ballot.yaml",
            "listed twice",
        ),
        (
            "{papers_arrive}, tell the campaign",
            "{arrival}, tell the campaign",
            "ballot.yaml",
            "{arrival}",
        ),
        (
            "    phase: ballot\n    priority: 20\n    at: {anchor: papers_arrive,",
            "    phase: ballot\n    branch: no-meeting\n    priority: 20\n    at: {anchor: papers_arrive,",
            "reminders.yaml",
            "ballot rules do not depend on the branch's nomination meeting",
        ),
    ],
)
def test_a_broken_ballot_file_names_the_file_and_the_problem(
    tmp_path: Path, old: str, new: str, file: str, message: str
) -> None:
    with pytest.raises(PackError) as error:
        load_campaign(edited_pack(tmp_path, old, new, file))
    assert message in str(error.value)
    assert file in str(error.value)


def test_without_a_ballot_file_the_ballot_anchors_are_unknown(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(CAMPAIGN, pack)
    (pack / "ballot.yaml").unlink()
    with pytest.raises(PackError) as error:
        load_campaign(pack)
    assert "unknown" in str(error.value) and "reminders.yaml" in str(error.value)


async def test_the_organisers_digest_in_the_ballot_counts_votes(settings: Settings) -> None:
    clock = Clock(LONDON, start=NOV_20, frozen=True)
    settings = settings.model_copy(update={"organisers": ["console:olive"]})
    async with open_services(settings, clock=clock) as services:
        for name in ("alice", "bob", "cara"):
            await say(person(services, name), "/volunteer branch:DWP-LEEDS consent:yes")
        await say(person(services, "alice"), "/voted")
        await say(person(services, "bob"), "/pledge count:4")
        sender = states.RecordingSender()
        deliverer = await states.sending(services, {"console": sender})
        await deliverer.sweep(datetime(2019, 11, 21, 8, 31, tzinfo=LONDON))
        (digest,) = [r.text for t, r in sender.replies if t.id == "olive"]
        lines = digest.splitlines()
        assert lines[0] == "Organisers' digest, Thu 21 Nov."
        assert lines[-1] == (
            "Ballot: 1 of 3 volunteers say they have voted; 4 colleagues asked to vote; "
            "21 days left."
        )
        assert not any(line.startswith("Progress:") for line in lines)
        # Nothing for organisers once the ballot has closed.
        sender.sent.clear()
        await deliverer.sweep(datetime(2019, 12, 13, 8, 31, tzinfo=LONDON))
        assert [r for t, r in sender.replies if t.id == "olive"] == []
