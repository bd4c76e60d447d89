"""No junk in the organisers' queue: keyboard mash, a row of one letter, emoji or a stray
number gets "I didn't catch a question there", while real questions, however typed, go
through."""

from __future__ import annotations

import json

from bot.adapters.console import Console
from bot.knowledge.junk import DIDNT_CATCH, is_junk
from bot.runtime.services import Services
from tests.conftest import CAMPAIGN

JUNK = [
    "asdfghjkl qwerty",
    "x" * 5000,
    "😀😀😀",
    "🗳️ 🤔",
    "1",
    "42!!",
    "aaaaaaaaaa",
    "z z z z z",
    "jkjkjk sdfsdf",
    "qwertyuiop",
    "hjkl;",
    "...???",
]


async def test_junk_is_not_taken_for_a_question(
    alice: Console, organiser: Console, services: Services
) -> None:
    for typed in JUNK:
        assert await alice.handle(typed) == DIDNT_CATCH, typed
        assert await alice.handle(f"/ask question:{typed[:500]}") == DIDNT_CATCH, typed
    assert await organiser.handle("/questions") == "No unanswered questions. Nice!"
    assert await services.store.questions.answers() == []


async def test_questions_however_typed_still_go_through(alice: Console, organiser: Console) -> None:
    for question in ("wen do the noms shut", "when's the ballot, like?", "ur view on brexit m8?"):
        reply = await alice.handle(question)
        assert reply is not None and reply != DIDNT_CATCH, question
    # A question the material does not cover is still kept for the organisers.
    kept = await alice.handle("is mark in favour of brexit?")
    assert kept is not None and kept.startswith("I don't know")
    listing = await organiser.handle("/questions")
    assert listing is not None and "is mark in favour of brexit?" in listing


async def test_a_number_still_picks_a_choice_the_bot_offered(alice: Console) -> None:
    offered = await alice.handle("/volunteer branch:dwp")  # several DWP branches
    assert offered is not None and "1)" in offered
    picked = await alice.handle("1")
    assert picked is not None and picked != DIDNT_CATCH


def test_no_question_in_the_packs_question_sets_is_taken_for_junk() -> None:
    questions = [
        json.loads(line)["q"]
        for path in sorted((CAMPAIGN / "eval").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert len(questions) > 1000
    assert [q for q in questions if is_junk(q, CAMPAIGN)] == []


def test_what_junk_is_made_of() -> None:
    # Mash: no vowel, a run of consonants, one letter three times, a slide along a row.
    for mash in ("hjkl", "bcdfgh", "xxxx", "asdf", "zxcvbnm"):
        assert is_junk(mash), mash
    # One unknown word may be a name or a new term; two of them with nothing known, not.
    assert not is_junk("brexit?")
    assert is_junk("x") and is_junk("qz?")
    assert is_junk("blorf quonk")
    # The pack's own words count: names, places, acronyms.
    assert not is_junk("serwotka hmrc?", CAMPAIGN)
