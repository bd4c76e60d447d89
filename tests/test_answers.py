"""The answer engine: right, short, cited, honest when unsure, and taught from chat."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from bot.adapters.console import Console
from bot.campaign.loading import load_campaign
from bot.knowledge import MAX_ANSWER, AnswerEngine
from bot.knowledge.answertype import holds
from bot.knowledge.asking import asked_type, counted, sorts_asked, years_named
from bot.knowledge.evaluate import contains_phrase, evaluate, load_cases
from bot.knowledge.rules import buried_questions
from bot.runtime.services import Services
from tests.conftest import CAMPAIGN, LONDON, SEPT_20, mobilise_command, sqlite_url


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    """The lexical ranker: what answers when the sentence model is not installed."""
    return AnswerEngine(load_campaign(CAMPAIGN), ranking="lexical")


@pytest.fixture(scope="module")
def learned() -> AnswerEngine:
    """The learned ranker, which the bot uses when the sentence model is installed."""
    return AnswerEngine(load_campaign(CAMPAIGN), ranking="learned")


def test_close_date_comes_from_the_timetable(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(CAMPAIGN, pack)
    config = pack / "campaign.yaml"
    config.write_text(config.read_text().replace("at: 2019-10-14 17:00", "at: 2019-10-21 16:00"))
    before = AnswerEngine(load_campaign(CAMPAIGN)).answer("when do nominations close?", SEPT_20)
    after = AnswerEngine(load_campaign(pack)).answer("when do nominations close?", SEPT_20)
    assert after.source_id == "timetable.nominations_close"
    assert "4pm on Monday 21 October 2019" in after.text
    assert "14 October" not in after.text
    assert "5pm on Monday 14 October 2019" in before.text
    # The notice cut-off moves with it.
    notice = AnswerEngine(load_campaign(pack)).answer("last day to call a meeting?", SEPT_20)
    assert "Monday 7 October 2019" in notice.text


def test_dates_say_how_long_is_left_and_when_it_has_passed(engine: AnswerEngine) -> None:
    assert engine.answer("when do noms close", SEPT_20).text.endswith("(in 24 days).")
    late = datetime(2019, 10, 20, 9, 0, tzinfo=LONDON)
    assert engine.answer("when do noms close", late).text == (
        "Branch nominations closed at 5pm on Monday 14 October 2019."
    )


@pytest.mark.parametrize(
    ("question", "expected", "source"),
    [
        ("what's Mark doing about outsourced cleaners?", "living wage", "private-sector"),
        ("wen do noms close??", "14 October", "timetable.nominations_close"),
        ("how do I get my branch to nominate?", "nomination meeting", "what-you-can-do"),
        ("WHAT WILL THE CANDIDATE DO ABOUT PAY", "pay", "new-challenges"),
        ("wat is serwotka doing for wales", "Wales", "devolved-nations"),
        ("whats the gs election threshold", "15 branches", "faq-threshold"),
        ("what does BGM mean", "branch general meeting", "faq-bgm"),
        ("what will he do for womem in the union", "women", "equality"),
        (
            "what did he say about the trade union bill",
            "Background from a 2015 interview",
            "bg-thresholds",
        ),
    ],
)
def test_answers_people_typing_as_they_do(
    engine: AnswerEngine, question: str, expected: str, source: str
) -> None:
    answer = engine.answer(question, SEPT_20)
    assert answer.answered
    assert expected.lower() in answer.text.lower()
    assert answer.source is not None and answer.source["id"] == source
    assert len(answer.text) <= MAX_ANSWER


@pytest.mark.parametrize(
    "question",
    ["how do i sign up", "how can I join", "I want to volunteer", "where do I sign up?"],
)
def test_signing_up_points_to_volunteer(
    engine: AnswerEngine, learned: AnswerEngine, question: str
) -> None:
    for ranked in (engine, learned):
        answer = ranked.answer(question, SEPT_20)
        assert answer.answered, ranked.ranking
        assert answer.source is not None and answer.source["id"] == "faq-sign-up"
        assert "Sign up with /volunteer" in answer.text


@pytest.mark.parametrize(
    ("question", "verbs"),
    [
        ("will mark call a pay ballot", ["call"]),
        ("can unions beat the turnout rule", ["beat"]),
        ("how far in advance must a meeting be called", ["call"]),
        # The word after the auxiliary is its subject; a possessive is no subject.
        ("when does the tax year end", []),
        ("how much did mark's house cost", []),
        ("our bec hasn't called a meeting", []),
        ("is mark going to call a strike over pay", ["call"]),
    ],
)
def test_verbs_are_read_from_how_a_word_is_used(
    engine: AnswerEngine, question: str, verbs: list[str]
) -> None:
    reading = engine.language.read(question)
    said = [reading.concepts[n][0][0] for n in sorted(reading.actions)]
    assert said == verbs


def test_how_many_is_answered_by_the_figure(engine: AnswerEngine) -> None:
    answer = engine.answer("how many pcs members are women", SEPT_20)
    assert "60%" in answer.text  # the share of members, not the 50% NEC pledge


def test_a_synonym_makes_only_itself_known(engine: AnswerEngine) -> None:
    # "accountable" is listed as a synonym; "account" is still a word the material lacks.
    assert engine.language.knows("accountable")
    assert not engine.language.knows("account")
    assert "account" in engine.language.read("what is mark's bank account").unknown


def test_synonyms_come_from_the_pack(tmp_path: Path) -> None:
    question = "will mark get us more money"
    with_them = AnswerEngine(load_campaign(CAMPAIGN), ranking="lexical").answer(question, SEPT_20)
    assert with_them.answered and with_them.source_id == "new-challenges"
    pack = tmp_path / "pack"
    shutil.copytree(CAMPAIGN, pack)
    config = pack / "campaign.yaml"
    data = yaml.safe_load(config.read_text())
    del data["synonyms"]["money"]
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    without = AnswerEngine(load_campaign(pack), ranking="lexical").answer(question, SEPT_20)
    assert not without.answered  # "money" is then a topic the material never mentions


@pytest.mark.parametrize(
    ("question", "answered", "source"),
    [
        # A verb the material never uses colours a question naming two things it knows...
        ("will pay be negotiated nationally again", True, "new-challenges"),
        # ...but beside one thing it may be the whole point.
        ("can you translate this into welsh", False, None),
        # An adverb is filler; an adjective may be the topic.
        ("who is mark serwotka anyway", True, "candidate"),
        ("does mark support proportional representation", False, None),
        # "submit" is an English word, not a misspelt "summit".
        ("who is allowed to submit the nomination form", True, "faq-valid-nomination"),
        # The post's full name is the post, not the words "general" and "secretary".
        ("when did mark become general secretary", True, "candidate"),
        # The last thing named is what the question is about.
        ("what does mark think about social media companies", False, None),
        # Money asked about the candidate himself is personal; about members it is pay.
        ("how much money does mark make a year", False, None),
        ("how much is mark paid as general secretary", False, None),
        # Who else supports or helps, near the asker, is other people's data.
        ("who else from DWP Leeds is helping the campaign", False, None),
        ("which people in my office support mark", False, None),
        # "What should I do?" is about the asker, not the candidate's pledges.
        ("what can i do", True, "what-you-can-do"),
        ("what should we do next?", True, "what-you-can-do"),
        ("what time is it", False, None),
        ("why re-elect serwotka", True, "why-standing"),
        # What is done ("call") weighs less than what is named ("pay ballot")...
        ("will mark call a pay ballot", True, "new-challenges"),
        # ...and "why back Mark" is about him, whatever the asker's part in it.
        ("why should branches nominate mark", True, "why-standing"),
        # A pack synonym serves the singular and the plural.
        ("what makes a nomination legit", True, "faq-valid-nomination"),
        ("how do unions beat the turnout rule", True, "bg-thresholds"),
        # A figure the material gives is part of the question; alone it is no topic.
        ("does mark need 15 branches", True, "faq-threshold"),
        ("what's 15 times 15", False, None),
        # "What's the point of ...?" asks why; "Mark's priorities" asks for his section.
        ("what's the point of re-electing mark", True, "why-standing"),
        ("what is mark's agenda", True, "why-standing"),
        # An FAQ about the man himself is not what the asker should do.
        ("where do i start", True, "what-you-can-do"),
        # Between equal lines, the section titled with the question's topic.
        ("what has mark done against the tories", True, "politics"),
        # A passage that only says what a term means does not answer what may be done.
        (
            "can the branch officers decide the nomination without the members",
            True,
            "faq-valid-nomination",
        ),
        ("what happens at ADC", True, "faq-adc"),
        # Distance is no topic: "how far" is not "how far in advance".
        ("how far is london from cardiff", False, None),
        # "Record" asks for his record; beside a topic it is no topic itself.
        ("what's mark's record on equality", True, "equality"),
        # A word the material uses everywhere is not the head that must be covered.
        ("does mark support tax justice campaigns", True, "bg-young-members"),
        # A question with the topics of one a section is asked as goes to that section.
        ("why does the union need to change", True, "why-standing"),
        ("why does mark want another term", True, "why-standing"),
        # Counting who supports him near the asker is other people's data.
        ("how many people in my office support mark", False, None),
        # Words of feeling or time ("worried", "period", "first") name no topic.
        ("is mark worried about digitalisation", True, "why-standing"),
        ("what notice period do members need", True, "faq-notice"),
        ("what's the first step", True, "what-you-can-do"),
        # "What is a <term>?" asks what the term means.
        ("what is a branch general meeting", True, "faq-bgm"),
        # "Still" after it is done is not "is there still time?".
        ("we nominated a rival candidate, do i still report it", True, "faq-other-nominee"),
        # "What does Mark want?": the section asked that way that the pack puts first.
        ("what does mark want for pcs", True, "why-standing"),
        # Strategy, level, relationship: words for how, not what.
        ("does mark want pay bargaining at national level", True, "new-challenges"),
        ("what's mark's strategy for winning on pay", True, "new-challenges"),
        # "I'm a rep": who is asking, when they ask what they should do.
        ("i'm a rep, what should i be doing", True, "what-you-can-do"),
        # A verb after a preposition ("without asking") is no head of the question.
        ("can our exec committee nominate without asking members", True, "faq-valid-nomination"),
        # "Tell you" is reporting to the campaign.
        ("how do i tell you our meeting has been called", True, "what-you-can-do"),
        # "Why ... re-elect him?" asked "why" and by a member: the headline section.
        ("why should we re-elect serwotka", True, "why-standing"),
        # A passage matched only by the questions it is asked as comes after one whose
        # own words answer ("support for reps" is in the section on workplace power).
        ("what support will reps get", True, "rebuilding-power"),
        # Why he stands, whatever verb is used for it; "the reason" asks why.
        ("why is mark seeking re-election", True, "why-standing"),
        ("what's the reason to support mark", True, "why-standing"),
        ("what is mark's record as GS", True, "why-standing"),
        # "Hand in" is send; "the role of" asks what a term means.
        ("who hands in the nomination", True, "faq-valid-nomination"),
        ("what is the role of the BEC", True, "faq-bec"),
        # A rare verb weighs no more than what it is done to.
        ("how will the vote be held", True, "faq-how-to-vote"),
        ("does mark want to end outsourcing", True, "private-sector"),
        # Each step answers "how do I ...?".
        ("how do i report our meeting to the campaign", True, "what-you-can-do"),
        # "How many ...?" is answered by the line with the figure.
        ("how many pcs members are women", True, "equality"),
        # "Mark and someone else" is two nominations; "someone else" alone is a rival's.
        ("can we nominate mark and another candidate", True, "faq-one-per-post"),
        ("our branch nominated someone else", True, "faq-other-nominee"),
        # What he said is what the interview reports.
        ("what did mark say about coordinated strikes", True, "bg-coordination"),
    ],
)
def test_how_questions_are_read(
    engine: AnswerEngine, question: str, answered: bool, source: str | None
) -> None:
    answer = engine.answer(question, SEPT_20)
    assert answer.answered is answered, answer.text
    assert answer.source_id == source


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("can our branch still nominate next week?", "close at 5pm on Monday 14 October"),
        ("is it too late to nominate", "close at 5pm on Monday 14 October"),
        ("have nominations opened yet", "opened on Monday 2 September"),
        ("what was the first day branches could nominate", "opened on Monday 2 September"),
        ("is 5pm the cut off", "close at 5pm on Monday 14 October"),
        ("what's the deadline", "close at 5pm on Monday 14 October"),
        ("how late can we call a bgm", "notice must go out by Monday 30 September"),
        ("when does balloting start", "opens on Thursday 7 November"),
    ],
)
def test_date_questions_without_a_date_word(
    engine: AnswerEngine, question: str, expected: str
) -> None:
    answer = engine.answer(question, SEPT_20)
    assert expected in answer.text
    assert answer.source_id is not None and answer.source_id.startswith("timetable.")


def test_the_result_is_not_dated_with_the_ballot_close(engine: AnswerEngine) -> None:
    # The timetable holds no date for the result: another date is not given for it.
    answer = engine.answer("when do we find out the election result", SEPT_20)
    assert not answer.answered and answer.kind == "not-stated"
    assert answer.text.startswith("The campaign material doesn't give that date. What it says:")
    assert answer.related is not None and answer.related["id"] == "timetable"


def test_a_bare_deadline_is_the_next_one_to_come(engine: AnswerEngine) -> None:
    during_ballot = datetime(2019, 11, 20, 10, 0, tzinfo=LONDON)
    answer = engine.answer("what's the deadline", during_ballot)
    assert answer.text.startswith("The ballot closes at 12 noon on Thursday 12 December 2019")


@pytest.mark.parametrize(
    "question",
    [
        "what's mark's home address?",
        "what is his phone number",
        "who in my branch supports mark?",
        "does mark support brexit?",
        "what's the weather tomorrow",
        "tell me a joke",
        "'; DROP TABLE questions; --",
        "@everyone <!channel>",
        "",
        "?!?!",
    ],
)
def test_declines_what_the_material_does_not_cover(engine: AnswerEngine, question: str) -> None:
    answer = engine.answer(question, SEPT_20)
    assert not answer.answered
    assert answer.source is None
    assert "I don't know" in answer.text or "Hello" in answer.text


EVAL_SETS = sorted(path.name for path in (CAMPAIGN / "eval").glob("*.jsonl"))


def test_every_answer_is_short_and_cited(engine: AnswerEngine) -> None:
    for name in EVAL_SETS:
        for case in load_cases(CAMPAIGN / "eval" / name):
            answer = engine.answer(case.question, SEPT_20)
            assert len(answer.text) <= MAX_ANSWER
            assert (answer.source is not None) == answer.answered


# Regression floors of the lexical ranker just under its current figures: it must not get
# worse on the sets it was tuned on. (Four were lowered when the pack took in the whole
# interview: new passages compete for the same words. Five more were lowered when the pack
# took in the 2019 nomination results: "how many branches have to nominate?" shares its
# words with "how many branches nominated?", and before 15 October that answer is not known.
# One more when the newspaper's note to readers on mobiles became a claim: its "home screen"
# draws the lexical ranker to a question on working from home.)
FLOORS = {
    "dev.jsonl": (0.9, 0.95),
    "dev2.jsonl": (0.9, 0.95),
    "dev3.jsonl": (0.9, 0.95),
    "dev4.jsonl": (0.88, 0.95),
    "dev5.jsonl": (0.9, 0.95),
    "heldout.jsonl": (0.9, 0.95),
    "heldout2.jsonl": (0.95, 0.9),
    "heldout3.jsonl": (0.9, 0.95),
    "heldout4.jsonl": (0.9, 0.9),
    "heldout5.jsonl": (0.85, 0.9),
    "dev6.jsonl": (0.9, 0.95),
    "dev7.jsonl": (0.9, 0.95),
    "dev8.jsonl": (0.85, 0.85),
    "dev9.jsonl": (0.9, 0.93),
    "dev10.jsonl": (0.9, 0.93),
    "heldout6.jsonl": (0.9, 0.95),
    "heldout7.jsonl": (0.88, 0.9),
    "heldout8.jsonl": (0.9, 0.85),
    # Written after the last change to the engine and never tuned on (first runs).
    "heldout9.jsonl": (0.92, 0.95),
    "heldout10.jsonl": (0.93, 0.9),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_quality_does_not_fall_below_the_recorded_figures(engine: AnswerEngine, name: str) -> None:
    report = evaluate(engine, load_cases(CAMPAIGN / "eval" / name), SEPT_20)
    answers, declines = FLOORS[name]
    assert report.answerable >= 50 and report.off_topic >= 25
    assert report.answer_accuracy >= answers, report.misses
    assert report.abstention_accuracy >= declines, report.misses


def test_a_percentage_scores_however_it_is_written() -> None:
    # The sources write "50%" in the leaflet and "50 percent" in the interview; a phrase
    # in one form is found in an answer that uses another, and no other figure is.
    assert contains_phrase("Turnout was 42%.", ["42 percent"])
    assert contains_phrase("It needs a 50 per cent turnout", ["50%"])
    assert contains_phrase("A yes from 40 PerCent of those", ["40 percent"])
    assert not contains_phrase("Turnout was 42%.", ["4 percent"])
    assert not contains_phrase("Turnout was 420 voters", ["42%"])
    assert not contains_phrase("Turnout was 42%.", ["24 percent"])


def test_eval_command_prints_both_accuracies(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            *mobilise_command(),
            "--db",
            sqlite_url(tmp_path / "e.db"),
            "--campaign",
            str(CAMPAIGN),
            "--now",
            "2019-09-20T10:00",
            "eval",
            str(CAMPAIGN / "eval" / "heldout.jsonl"),
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["answerable"] == 61 and report["off_topic"] == 30
    assert report["answer_accuracy"] == pytest.approx(report["answered_right"] / 61, abs=1e-4)
    assert report["abstention_accuracy"] == pytest.approx(report["declined_right"] / 30, abs=1e-4)
    assert len(report["misses"]) == (61 - report["answered_right"]) + (
        30 - report["declined_right"]
    )
    plain = subprocess.run(
        [
            *mobilise_command(),
            "--db",
            sqlite_url(tmp_path / "e.db"),
            "--campaign",
            str(CAMPAIGN),
            "eval",
            str(CAMPAIGN / "eval" / "dev.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "answer accuracy: " in plain.stdout
    assert "abstention accuracy: " in plain.stdout


def test_eval_file_errors_are_clear(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "fine", "any": ["x"]}\n{"question": "wrong key"}\n')
    result = subprocess.run(
        [
            *mobilise_command(),
            "--db",
            sqlite_url(tmp_path / "e.db"),
            "--campaign",
            str(CAMPAIGN),
            "eval",
            str(bad),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "bad.jsonl, line 2: expected" in result.stderr


async def test_organisers_answer_the_queue_from_chat(
    alice: Console, bob: Console, organiser: Console, services: Services
) -> None:
    first = await alice.handle("Does Mark support Brexit?")
    assert first is not None and first.startswith("I don't know")
    await bob.handle("does mark support brexit")
    await bob.handle("what's mark's view on fox hunting?")

    assert await alice.handle("/questions") == "Sorry, /questions is for campaign organisers only."
    listing = await organiser.handle("/questions")
    assert listing is not None
    lines = listing.splitlines()
    assert lines[0] == "Unanswered questions, most asked first (2 shown):"
    assert lines[1].startswith(
        "#1 (asked 2 times by 2 people, on Fri 20 Sep): Does Mark support Brexit?"
    )
    assert lines[2].startswith(
        "#2 (asked 1 time by 1 person, on Fri 20 Sep): what's mark's view on fox hunting?"
    )

    saved = await organiser.handle(
        "/answer id:1 text:The manifesto doesn't take a position on Brexit; Mark's focus "
        "in this election is pay, jobs and organising."
    )
    assert saved is not None and saved.startswith("Thanks! Saved.")
    paraphrase = await alice.reply_to("what is mark's position on brexit?")
    assert paraphrase is not None
    assert paraphrase.text.startswith("The manifesto doesn't take a position on Brexit")
    assert paraphrase.source == {"id": "faq-q1", "title": "FAQ: Does Mark support Brexit?"}

    again = await organiser.handle("/answer id:1 text:something else")
    assert again == "Question #1 has already been answered."
    missing = await organiser.handle("/answer id:99 text:whatever")
    assert missing == "There is no question #99. /questions lists them."
    remaining = await organiser.handle("/questions")
    assert remaining is not None and "Brexit" not in remaining and "fox hunting" in remaining


async def test_learned_answers_survive_a_restart_and_export(
    organiser: Console, alice: Console, services: Services, tmp_path: Path
) -> None:
    await alice.handle("does mark support brexit")
    await organiser.handle("/answer id:1 text:Not covered by the manifesto {yet}.")
    url = services.settings.database_url
    result = await asyncio.to_thread(
        subprocess.run,
        [
            *mobilise_command(),
            "--db",
            url,
            "--campaign",
            str(CAMPAIGN),
            "ask",
            "--json",
            "mark's view of brexit?",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert json.loads(result.stdout)["answer"] == "Not covered by the manifesto {yet}."
    exported = await asyncio.to_thread(
        subprocess.run,
        [*mobilise_command(), "--db", url, "--campaign", str(CAMPAIGN), "faq-export"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    entries = yaml.safe_load(exported.stdout)
    assert entries == [
        {
            "id": "learned-1",
            "question": "does mark support brexit",
            "alternates": [],
            "answer": "Not covered by the manifesto {{yet}}.",
            "keywords": [],
        }
    ]


NOV_20 = datetime(2019, 11, 20, 10, 0, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("question", "what"),
    [
        # A count needs the thing counted beside its figure: branches are not votes.
        ("how many votes did lloyd get from the branches", "that number"),
        # A price needs an amount of money.
        ("how much would the real living wage be per hour for contractors", "the price"),
        # Initials need the words they stand for (the union is named, so the question has a
        # topic in the material: asked bare, the ranker may decline it outright instead).
        (
            "Dave Ward leads the CWU: what do those initials stand for?",
            "what those initials stand for",
        ),
        # A year the question names that the answer never mentions.
        ("what will the 2021 annual delegate conference decide", "anything about that year"),
        # Who is ahead: the nominations say nothing of the vote.
        ("which candidate is ahead in the ballot at the moment", "anything on the count"),
        # Whether a bill passed needs a sentence on how it turned out, not what it said
        # (named with what it holds, so the ranker does not decline it outright instead).
        (
            "has the trade union bill with its turnout threshold been passed yet",
            "how that turned out",
        ),
        # "Which union?" needs a union's name beside the word, not any name in the passage.
        ("bob crow was leader of which union", "that name"),
        # Someone else's words need a sentence with them saying something, not their name.
        ("what did jeremy Corbyn tell the unions in his speech", "what they said"),
        # A post's holder needs a name next to the post, not any name in the passage.
        (
            "who was the cabinet office minister at the time Mark called out Francis Maude",
            "that name",
        ),
        ("who is the chair of the tuc", "that name"),
        # Another candidate's stand needs a sentence about them, not the candidate's pledge.
        ("where does Lloyd stand on national pay bargaining", "where they stand on that"),
        # A figure asked for exactly is not given by a rough one ("about 60%").
        ("what is the exact percentage of pcs members who are women", "the exact figure"),
        # A day asked for is not given by a year.
        ("what day was the socialist worker interview published", "that date"),
        # "Which branch ...?" needs a branch's name: "62 branches, Lloyd by 39" gives none.
        ("which branch lost its nomination for breaking the rules", "that name"),
        # A time of day is not given by the day alone.
        ("what time of day did the ballot open", "the time of day"),
        # Who came before needs a sentence that says so, not the candidate's own record.
        ("who did the job of general secretary before mark", "that name"),
        # A replacement ballot paper is not what to do when one has not come.
        ("can I get a replacement if I spoil my ballot paper", "anything about replacements"),
        # Someone else's job needs their post; who holds a seat needs someone holding it.
        ("what post did bob crow hold", "their job"),
        ("who currently holds the private sector seat on the national executive", "that name"),
        # A social network asked about by name needs that name, not another way in touch.
        ("is the campaign on instagram", "anything about that site"),
        # Anyone's email is an address, not a passage that mentions an email newsletter.
        ("whats the email of the newspaper that interviewed him", "that email address"),
    ],
)
def test_questions_asking_what_the_material_does_not_give(
    learned: AnswerEngine, question: str, what: str
) -> None:
    answer = learned.answer(question, NOV_20)
    assert not answer.answered and answer.kind == "not-stated", answer.text
    assert answer.text.startswith(f"The campaign material doesn't give {what}"), answer.text
    assert answer.related is not None and answer.related["id"]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("how many branches have to back a candidate", "15 branches"),
        ("what is the email address of the campaign", "info@electserwotka.com"),
        ("GEC stands for what", "group executive committee"),
        # "How many of them are ...?" may be answered with a share of them.
        ("how many of our workplace reps are women", "fewer than half"),
        ("wot is the campaign email address", "info@electserwotka.com"),
        # Whose words are asked for is read from the question; "he" carries them on.
        ("what does John McDonnell say about him", "outstanding leader"),
        ("where does Mark stand on outsourcing", "in-house"),
        # "Personal" in "his personal message" is the leaflet's message, not his private life.
        ("his personal message says it's about more than him - about what", "In his own words"),
        # "Who's allowed to ...?" asks for a role, not a name.
        ("whos allowed to call the nominating meeting", "branch executive"),
        ("how do I follow the campaign on twitter", "@ReElectSerwotka"),
        ("my ballot paper never came, what do I do", "info@electserwotka.com"),
        # The candidate's own jobs are any passage on him; another's, their post.
        ("what job did he start out in", "clerical officer"),
        ("what was dave wards job", "leader of the CWU"),
        # "Which union bodies": the bodies are asked for, not a union's name.
        ("which union bodies are mostly men", "GEC"),
    ],
)
def test_the_answer_type_check_lets_right_answers_through(
    learned: AnswerEngine, question: str, expected: str
) -> None:
    answer = learned.answer(question, NOV_20)
    assert answer.answered and expected in answer.text, answer.text


@pytest.mark.parametrize(
    ("question", "kind", "line", "holds_it"),
    [
        # A phone number needs one: the campaign's contacts are an email and a website.
        (
            "is there a number i can phone the campaign team on",
            "phone",
            "Email info@electserwotka.com or visit https://electserwotka.com/",
            False,
        ),
        ("what's the office phone number", "phone", "Ring us on 020 7946 0123.", True),
        ("whats the postal address", "address", "Write to 160 Falcon Road, London SW11 2LN.", True),
        ("whats the postal address", "address", "Email info@electserwotka.com", False),
        ("what is the exact number of reps", "figure", "There are nearly 700 reps.", False),
        ("how many reps are there exactly", "count", "There are 697 reps.", True),
        # "What was the exact turnout?" is a count asked for exactly.
        ("what was the exact turnout in that ballot", "count", "Turnout was over 40%.", False),
        # The seat or the constituency asked for needs a name next to the word.
        ("what constituency does she represent", "name", "She is the MP for Hayes.", False),
        (
            "what constituency does she represent",
            "name",
            "She represents the Hayes constituency.",
            True,
        ),
        ("who sits on the reserved seat", "name", "A reserved seat was won.", False),
        # "How long do you keep it?" may be answered with when it ends.
        (
            "how long do you keep my details",
            "duration",
            "It is deleted after the vote closes.",
            True,
        ),
        ("how long do you keep my details", "duration", "It is kept safely.", False),
        (
            "how long do you keep my details",
            "duration",
            "Everything personal is deleted after Saturday 11 January.",
            True,
        ),
        # "Which branches ...?" needs branches named, not a count of them.
        (
            "which branches backed Lloyd in the nominations",
            "name",
            "Lloyd was nominated by 39 branches, Mark by 62.",
            False,
        ),
        (
            "which branches backed Lloyd in the nominations",
            "name",
            "The Leeds branch backed Lloyd.",
            True,
        ),
        # "Did they get what they wanted?" asks how it turned out.
        ("did the cleaners get what they wanted in the end", "happened", "They struck.", False),
        (
            "did the cleaners get what they wanted in the end",
            "happened",
            "The cleaners won the living wage.",
            True,
        ),
        # A figure that might be ("could involve millions") is not how many there were.
        ("how many people marched", "count", "A march could involve millions.", False),
        ("how many people marched", "count", "Millions of people marched.", True),
        # Someone's job needs their post beside their name, not a sentence naming them.
        ("what job did Bob Crow have", "post", "Mark and Bob Crow criticised Labour.", False),
        ("what job did Bob Crow have", "post", "Bob Crow, the RMT's general secretary.", True),
        ("which union job did Bob Crow hold", "post", "Bob Crow, the RMT's leader.", True),
        ("is he on facebook", "network", "Follow @ReElectSerwotka.", False),
        ("is he on facebook", "network", "He posts on Facebook every week.", True),
        # A share of a group is not how many there are; a turnout is asked as a share.
        ("how many reps go to conference", "count", "Women are 60% of the reps there.", False),
        ("how many reps go to conference", "count", "About 900 reps go.", True),
        ("what turnout did the vote get", "count", "It had a 65% turnout.", True),
        # "Which rule was broken?" needs the rule, not that one was.
        ("what rule did the branch break", "detail", "A branch broke the rules.", False),
        (
            "what rule did the branch break",
            "detail",
            "It broke the rule that a meeting needs notice.",
            True,
        ),
        ("what were the lies the minister told", "detail", "He called out lies on air.", False),
        ("what did the branch do wrong exactly", "detail", "It lied about the date.", True),
        # "Did the council ever hold it?" asks how it turned out.
        ("did the council ever hold that meeting", "happened", "It was asked to.", False),
        # An amount in pounds, a cap, a percentage or a date asked for in other words.
        ("what's the limit in pounds", "price", "The limit is 21 months' pay.", False),
        ("what's the limit in pounds", "price", "The limit is £60,000.", True),
        ("what's the current cap on payouts", "figure", "There is a cap.", False),
        ("what pay rise percentage is wanted", "figure", "A 10% rise is wanted.", True),
        ("on what exact day was it printed", "date", "It was printed in 2015.", True),
        ("on what exact day was it printed", "date", "It was printed in a newspaper.", False),
        # One word may stand before the sort of thing asked ("which Labour MPs").
        ("which outsourced companies struck", "name", "Outsourced workers struck.", False),
        ("which outsourced companies struck", "name", "Workers at ISS struck.", True),
        # "Who is the head of ...?" needs a name beside that post, not any name.
        ("who is the chief exec of the scrutineer", "name", "It is run by Acme Ltd.", False),
        ("who is the chief exec of the scrutineer", "name", "Jo Bloggs, its chief exec.", True),
        ("who is the other union leader he names", "name", "He names Bob Crow.", True),
        # "Which Labour MPs ...?" needs MPs named, not a sentence about MPs.
        ("which labour mps backed it", "name", "Some Labour MPs backed it.", False),
        ("which labour mps backed it", "name", "The Labour MP Diane Abbott backed it.", True),
        ("what exactly were the lies he told", "detail", "He lied about the figures.", True),
        # Someone else's post, asked beside the candidate's name.
        ("which govt job did Ken Hall have when Mark met him", "post", "Mark met Ken Hall.", False),
        (
            "which govt job did Ken Hall have when Mark met him",
            "post",
            "Ken Hall, the finance minister, met Mark.",
            True,
        ),
    ],
)
def test_what_a_question_asks_for_and_what_holds_it(
    question: str, kind: str, line: str, holds_it: bool
) -> None:
    assert asked_type(question) == kind
    assert holds(kind, line, question) is holds_it


@pytest.mark.parametrize(
    "question",
    [
        # How much someone would put up with asks where they stand, not for a figure.
        "how much of a pay cut would the union accept",
        "how much extra work are they willing to take on",
    ],
)
def test_how_much_someone_would_accept_asks_no_figure(question: str) -> None:
    assert asked_type(question) is None
    assert asked_type("how much is the pay cut") == "figure"


def test_what_a_count_counts_and_questions_that_ask_for_no_name_or_post() -> None:
    assert counted("there's a plan for reserved seats. how many, and is it backed?") == ()
    assert counted("how many ppl marched") == ()
    assert counted("how many paid staff are there") == ("staff",)
    # With nothing named to count, a share may answer ("at least half").
    assert holds("count", "At least 50% of seats are reserved.", "how many, and is it backed?")
    assert asked_type("what job is this vote for anyway") is None
    assert asked_type("who's covered by the new scheme") is None


def test_more_ways_of_asking_for_a_kind() -> None:
    assert asked_type("did the council actually hold that meeting") == "happened"
    assert asked_type("what did the minister lie about") == "detail"
    assert asked_type("what street is the new office on") == "address"
    assert asked_type("what's the MP's constituency") == "name"
    assert sorts_asked("what's the MP's constituency") == ["constituency"]
    # A year named in words, when a date or a figure is asked for; not in an aside.
    assert years_named("when is conference next year", 2019) == {"2020"}
    assert years_named("how much was the pay rise last year", 2019) == {"2018"}
    assert years_named("i was moved last year, what's his plan", 2019) == set()


def test_a_question_buried_in_a_long_message_is_answered(learned: AnswerEngine) -> None:
    """Asked after a long preamble about other things, the question is still answered
    (the whole message, mostly about something else, is declined by the ranker)."""
    preamble = (
        "Been a rep for ten years, our branch is tiny and nobody comes to meetings, the "
        "canteen shut last month and morale is on the floor."
    )
    answer = learned.answer(f"{preamble} tell me, who is it that runs the ballot?", NOV_20)
    assert answer.answered and "Electoral Reform Services" in answer.text, answer.text


def test_only_a_long_messages_asking_sentences_are_tried_alone() -> None:
    assert buried_questions("is the ballot by post or online, please?") == []
    message = (
        "I have been in the union a long time and I have seen a lot. Our office is closing. "
        "Is the ballot postal? And who will be counting the votes?"
    )
    assert buried_questions(message) == [
        "And who will be counting the votes?",
        "Is the ballot postal?",
    ]


def test_a_passage_asked_for_in_a_nutshell_is_given_by_its_overview(
    learned: AnswerEngine,
) -> None:
    """Asked for a section as a whole, the bot gives the section's overview, not one line."""
    line = learned.answer("his equality plans", NOV_20)
    whole = learned.answer("his equality plans in a nutshell", NOV_20)
    assert line.answered and whole.answered
    assert line.kind != "overview" and whole.kind == "overview", whole.text
    assert whole.text.startswith("PCS equality networks have grown under Mark")
