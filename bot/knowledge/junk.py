"""Telling a question from junk: keyboard mash, a row of one letter, emoji or a number on
its own. Junk gets "I didn't catch a question there" and never reaches the organisers'
queue.

A message is a question only if it has words a person asks with: English words the
lexicon knows (lemminflect, as the answer engine uses), the filler and question words of
`bot.knowledge.words` (txt-speak such as "wen" and "u" included), or words of the
campaign pack itself ("Serwotka", "HMRC", "noms"). A message is junk if half of its
words are mash (no vowel, a long run of consonants, one letter over and over, a slide
along the keyboard), or if it has more than one word and fewer than a third are known.
A single unknown word that is not mash may be a name or a new term, and goes through.
"""

from __future__ import annotations

import itertools
import re
from functools import cache
from pathlib import Path

from bot.knowledge.words import QUESTION_WORDS, STOPWORDS

DIDNT_CATCH = (
    "I didn't catch a question there. Ask me about the election, the nominations or the "
    "manifesto in a few words, or type /help for what I can do."
)

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_VOWELS = frozenset("aeiouyàáâäèéêëìíîïòóôöùúûüŵŷ")
_CONSONANT_RUN = 5  # "asdfghjkl"; English words that long without a vowel ("strengths") are known
_REPEATS = re.compile(r"(.)\1\1")  # one letter three times in a row ("xxx", "zzzz")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
KEYBOARD_SHARE = 0.75  # of a word's letter pairs on neighbouring keys: a slide, not a word
MIN_KNOWN_SHARE = 1 / 3  # a question may have a typo or a name in it, not mostly those
PACK_FILES = ("*.yaml", "*.yml", "*.csv")


def is_junk(text: str, pack: Path | None = None) -> bool:
    """Whether `text` has no words a person would ask with (see the module's notes)."""
    words = [w.casefold().replace("’", "'") for w in _WORD.findall(text)]
    if not words:  # emoji, numbers or punctuation only
        return True
    vocabulary = pack_words(pack.resolve()) if pack is not None else frozenset()
    unknown = [w for w in words if not _known(w, vocabulary)]
    letters = "".join(unknown).replace("'", "")
    if len(letters) >= 3 and len(set(letters)) <= 2 and len(unknown) == len(words):
        return True  # "xxxxx", "x x x x", "hahaha" (but "lol" is a word)
    if sum(1 for w in unknown if _mashed(w)) * 2 >= len(words):
        return True
    # One unknown word may be a name or a new term ("brexit?"), if it is more than a
    # letter or two; more words, mostly unknown, are not a question.
    if len(words) == 1:
        return bool(unknown) and len(_base(unknown[0])) < 3
    return len(words) - len(unknown) < MIN_KNOWN_SHARE * len(words)


def _base(word: str) -> str:
    """The word without its apostrophes ("isn't" -> "isnt"), as the word lists write it."""
    return word.replace("'", "")


def _known(word: str, vocabulary: frozenset[str]) -> bool:
    base = _base(word)
    if base in STOPWORDS or base in QUESTION_WORDS or base in vocabulary:
        return True
    first = word.split("'", 1)[0]  # "when's" -> "when", "branch's" -> "branch"
    return first in vocabulary or _in_lexicon(first) or (first != base and _in_lexicon(base))


def _in_lexicon(word: str) -> bool:
    from bot.knowledge.lexicon import word_classes  # its word table loads at first use

    return len(word) > 1 and bool(word_classes(word))


def _mashed(word: str) -> bool:
    """Letters no language puts together: no vowel in four or more, a run of consonants,
    one letter three times running, or a slide along a row of the keyboard ("asdf")."""
    letters = _base(word)
    if len(letters) >= 4 and not any(ch in _VOWELS for ch in letters):
        return True
    run = 0
    for ch in letters:
        run = 0 if ch in _VOWELS else run + 1
        if run >= _CONSONANT_RUN:
            return True
    if _REPEATS.search(letters):
        return True
    pairs = list(itertools.pairwise(letters))
    slid = sum(1 for a, b in pairs if _neighbours(a, b))
    return len(letters) >= 4 and slid >= KEYBOARD_SHARE * len(pairs)


def _neighbours(a: str, b: str) -> bool:
    """Keys next to each other (or the same key) on a row of a QWERTY keyboard."""
    for row in _ROWS:
        if a in row and b in row:
            return abs(row.index(a) - row.index(b)) <= 1
    return False


@cache
def pack_words(root: Path) -> frozenset[str]:
    """Every word in the campaign pack's own files (not its question sets), so its names
    and terms count as words a person asks with."""
    found: set[str] = set()
    for pattern in PACK_FILES:
        for path in sorted(root.glob(pattern)):
            try:
                text = path.read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError):
                continue
            found.update(_base(w.casefold()) for w in _WORD.findall(text))
    return frozenset(w for w in found if len(w) > 1)
