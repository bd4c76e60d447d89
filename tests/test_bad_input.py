"""Mistakes get a specific reply and change nothing in the store."""

from __future__ import annotations

import pytest

from bot.adapters.console import Console
from bot.runtime.services import Services
from bot.store.schema import metadata
from bot.views.exports import export_csv
from tests.store_rows import table_rows


async def snapshot(services: Services, skip: tuple[str, ...] = ()) -> tuple[str, ...]:
    exports = [
        (await export_csv(services.store, services.campaign, w, services.clock.now()))[0]
        for w in ("nominations", "volunteers", "meetings")
    ]
    tables = [
        repr(await table_rows(services.store, name))
        for name in sorted(metadata.tables)
        if name not in skip
    ]
    return (*exports, *tables)


@pytest.fixture
async def seeded(alice: Console, services: Services) -> Services:
    await alice.handle("/volunteer branch:DWP-LEEDS consent:yes")
    await alice.handle("/meeting branch:DWP-LEEDS date:30 Sep notice:16 Sep")
    await alice.handle("/nominate branch:DWP-LEEDS outcome:nominated")
    return services


CASES = [
    (
        '/nominate branch:"Nowhere Central" outcome:nominated',
        "I can't find a branch called 'Nowhere Central'. Check the spelling, or use the branch code.",
    ),
    (
        "/meeting branch:DWP-LEEDS date:31 Septober",
        "I couldn't read '31 Septober' as a date. Try 30 September, 30 Sep or 2019-09-30.",
    ),
    (
        "/meeting branch:DWP-LEEDS date:30/02/2019",
        "I couldn't read '30/02/2019' as a date. Try 30 September, 30 Sep or 2019-09-30.",
    ),
    (
        "/meeting branch:DWP-LEEDS date:2029-09-30",
        "date: Sunday 30 September 2029 is nowhere near this election (nominations run Mon 2 Sep "
        "to Mon 14 Oct). Nothing has been saved.",
    ),
    (
        "/meeting branch:DWP-LEEDS",
        "/meeting needs date: (Date of the meeting, e.g. 30 Sep). Usage: /meeting "
        "branch:<branch> date:<date> [notice:<date>] [time:<time>] [place:<text>]",
    ),
    (
        "/meeting branch:DWP-LEEDS date:1 Oct time:25:00",
        "time: '25:00' is not a time of day. Try 12:30, 1pm or 18:00. Nothing has been saved.",
    ),
    (
        "/meeting branch:DWP-LEEDS date:1 Oct time:half twelve",
        "time: I couldn't read 'half twelve' as a time. Try 12:30, 1pm or 18:00. Nothing has "
        "been saved.",
    ),
    (
        "/cancelmeeting branch:DWP-LEEDS confirm:yes",
        "Only whoever reported DWP Leeds's meeting, or an organiser, can cancel it. Nothing "
        "has changed.",
    ),
    (
        "/cancelmeeting branch:HMRC-BOOT confirm:yes",
        "HMRC Bootle has no meeting on record to cancel.",
    ),
    (
        "/nominate outcome:nominated",
        "/nominate needs branch: (The branch (name or code)). Usage: /nominate branch:<branch> "
        "outcome:<nominated|other|none|inquorate> [nominee:<text>] [date:<date>]",
    ),
    (
        "/nominate branch:DWP-LEEDS outcome:won",
        "outcome: must be nominated, other, none or inquorate, not 'won'.",
    ),
    (
        "/nominate branch:DWP-LEEDS outcom:nominated",
        "/nominate has no option 'outcom'. Its options are: branch, outcome, nominee, date.",
    ),
    (
        "/nominate branch:DWP-LEEDS outcome:none outcome:nominated",
        "You gave outcome: twice. Give each option once.",
    ),
    ("/frobnicate", "I don't know the command /frobnicate. Type /help for the list."),
    (
        "/nominat branch:DWP-LEEDS",
        "I don't know the command /nominat. Did you mean /nominate? Type /help for the list.",
    ),
    ("/verify branch:DWP-LEEDS", "Sorry, /verify is for campaign organisers only."),
    ("/export", "Sorry, /export is for campaign organisers only."),
    ("/progress share:maybe", "share: should be true or false, not 'maybe'."),
    ("/volunteer branch:DWP-LEEDS consent:perhaps", "consent: must be yes or no, not 'perhaps'."),
    (
        "/meeting DWP-LEEDS 30 Sep",
        "I didn't understand 'DWP-LEEDS 30 Sep'. Name each option, like this: /meeting "
        "branch:<branch> date:<date> [notice:<date>] [time:<time>] [place:<text>]",
    ),
]


@pytest.mark.parametrize(("line", "expected"), CASES, ids=[c[0][:40] for c in CASES])
async def test_mistake_gets_a_specific_reply_and_changes_nothing(
    seeded: Services, bob: Console, line: str, expected: str
) -> None:
    # Refusing an organiser command is audited on purpose: the audit log (and the person
    # it names) are the only things such a refusal writes.
    refusal = "organisers only" in expected
    skip = ("audit_log", "people") if refusal else ()
    before = await snapshot(seeded, skip)
    reply = await bob.reply_to(line)
    assert reply is not None
    assert reply.is_error
    assert reply.text == expected
    assert await snapshot(seeded, skip) == before
    refused = [e for e in await seeded.store.audit.latest() if e.action == "refused"]
    if refusal:
        assert [(e.display_name, e.detail) for e in refused] == [("bob", line.split()[0])]
    else:
        assert refused == []


async def test_a_long_question_is_refused(seeded: Services, bob: Console) -> None:
    before = await snapshot(seeded)
    reply = await bob.reply_to("/ask " + "why " * 200)
    assert reply is not None and reply.is_error
    assert reply.text == "question: is too long (799 characters); please keep it to 500."
    assert await snapshot(seeded) == before


async def test_an_ambiguous_branch_asks_which_and_changes_nothing(
    seeded: Services, bob: Console
) -> None:
    before = await snapshot(seeded, ())
    reply = await bob.reply_to("/nominate branch:Leeds outcome:nominated")
    assert reply is not None and reply.prompt and not reply.is_error
    assert reply.text == "Which branch did you mean? Nothing has been saved yet."
    assert [b.label for b in reply.buttons] == [
        "DWP Leeds",
        "HMRC Leeds",
        "Interserve Cleaners Leeds",
    ]
    assert await snapshot(seeded, ()) == before
