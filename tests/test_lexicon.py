"""The compact lexicon knows the same words, in the same classes, as lemminflect's own
look-up, which it replaces to keep the bot small."""

from __future__ import annotations

import gzip

import pytest
from lemminflect import config, getAllLemmas

from bot.knowledge.junk import is_junk
from bot.knowledge.lexicon import Lexicon


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon()


def table_words() -> list[str]:
    with gzip.open(config.lemma_lu_fn, "rt", encoding="utf-8") as table:
        return [line.split(",", 1)[0] for line in table]


def test_every_word_of_the_table_has_lemminflects_classes(lexicon: Lexicon) -> None:
    words = sorted(set(table_words()))
    assert len(words) > 50_000
    differ = [w for w in words if lexicon.classes(w) != frozenset(getAllLemmas(w))]
    assert differ == []


@pytest.mark.parametrize(
    "word",
    ["all", "another", "Nominations", "STRIKE", "brexit", "serwotka", "asdfgh", "x", "can't"],
)
def test_overrides_case_and_unknown_words_match_lemminflect(lexicon: Lexicon, word: str) -> None:
    assert lexicon.classes(word) == frozenset(getAllLemmas(word))


def test_a_few_known_classes(lexicon: Lexicon) -> None:
    assert "NOUN" in lexicon.classes("branch")
    assert "VERB" in lexicon.classes("nominated")
    assert lexicon.classes("qwzx") == frozenset()


def test_junk_still_tells_words_from_mash() -> None:
    assert not is_junk("is the ballot shut yet or what")
    assert not is_junk("wen do u post ur ballot")
    assert is_junk("sdfkj qwpoe zxmnv")
