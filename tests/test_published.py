"""Facts made public on a known day (the 2019 nomination results, the other candidates, a
withdrawn nomination) are not stated before then: the bot says they are not known yet."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.adapters.console import Console
from bot.campaign.loading import load_campaign
from bot.knowledge.units import build_language, build_units
from bot.runtime.clock import Clock
from tests.conftest import CAMPAIGN, LONDON

BEFORE = datetime(2019, 9, 20, 10, 0, tzinfo=LONDON)
FIRST_REPORT = datetime(2019, 10, 20, 10, 0, tzinfo=LONDON)  # after 15 Oct, before 24 Oct
REVISED = datetime(2019, 11, 20, 10, 0, tzinfo=LONDON)


async def ask(console: Console, clock: Clock, at: datetime, question: str) -> tuple[str, str]:
    clock.set(at)
    reply = await console.reply_to(question)
    assert reply is not None
    return reply.text, (reply.source or {}).get("id", "")


async def test_the_nomination_results_wait_for_their_publication(
    alice: Console, clock: Clock
) -> None:
    question = "how many branches nominated Mark in 2019?"
    text, source = await ask(alice, clock, BEFORE, question)
    assert source == ""  # not an answer: nothing is cited
    assert "aren't known yet" in text and "14 October 2019" in text
    assert "62" not in text

    text, source = await ask(alice, clock, FIRST_REPORT, question)
    assert source == "faq-results-2019"
    assert "62 branches" in text and "Lloyd by 39" in text and "Laidlaw by 17" in text
    assert "day after nominations closed" in text and "24 October" not in text

    text, _ = await ask(alice, clock, REVISED, question)
    assert "62 branches" in text and "16 after one nomination was withdrawn" in text


@pytest.mark.parametrize(
    ("question", "source", "figure"),
    [
        ("How many branch nominations did Serwotka get in 2019?", "faq-results-2019", "62"),
        ("how many branches nominated Lloyd", "faq-results-2019", "39"),
        ("who are the other candidates for general secretary?", "faq-candidates-2019", "Laidlaw"),
    ],
)
async def test_counts_and_rivals_land_on_the_results_not_the_threshold(
    alice: Console, clock: Clock, question: str, source: str, figure: str
) -> None:
    text, found = await ask(alice, clock, REVISED, question)
    assert found == source, text
    assert figure in text
    before, found = await ask(alice, clock, BEFORE, question)
    assert found == ""
    assert figure not in before and "known yet" in before


async def test_a_withdrawn_nomination_is_told_only_once_reported(
    alice: Console, clock: Clock
) -> None:
    question = "was any branch nomination withdrawn by the scrutineer?"
    text, source = await ask(alice, clock, FIRST_REPORT, question)
    assert source == ""
    assert "isn't known yet" in text
    text, source = await ask(alice, clock, REVISED, question)
    assert source == "faq-withdrawn-nomination"
    assert "withdrew one branch nomination" in text and "24 October" in text


async def test_a_not_yet_known_result_is_not_queued_for_organisers(
    alice: Console, organiser: Console, clock: Clock
) -> None:
    await ask(alice, clock, BEFORE, "how many branches nominated Mark in 2019?")
    listing = await organiser.handle("/questions")
    assert listing is not None and "nominated Mark" not in listing


def test_units_say_the_version_published_at_the_moment() -> None:
    campaign = load_campaign(CAMPAIGN)
    units = {u.key: u for u in build_units(campaign, [], build_language(campaign, lexicon=False))}
    results = units["faq:results-2019"]
    opened = datetime(2019, 10, 15, 0, 0, tzinfo=LONDON)
    assert not results.known_at(datetime(2019, 10, 14, 23, 59, tzinfo=LONDON))
    assert results.known_at(opened)
    assert results.text_at(opened) == results.text
    assert results.text_at(REVISED) != results.text
    assert units["faq:who-runs-ballot"].known_at(BEFORE)  # known all along
