"""The English lexicon: which word classes a word is known in, from lemminflect's tables.

lemminflect's own look-up builds a dictionary of dictionaries of tuples for its 80,000
lines (about 33 MB resident) and deep-copies an entry at each call. The bot asks only
whether a word is known and as what, so the same tables are held here as two arrays: the
words' hashes, sorted, and a bit per word class (under 1 MB). Words are looked up in
lower case, as lemminflect does.
"""

from __future__ import annotations

import gzip
import threading
from functools import lru_cache

import numpy as np
import numpy.typing as npt

CLASSES = ("NOUN", "PROPN", "VERB", "ADJ", "ADV", "AUX")
_CATEGORY = {"modal": "AUX"}  # lemminflect's other categories are the classes in lower case


class Lexicon:
    """Word classes by word, built from lemminflect's look-up table and its overrides."""

    def __init__(self) -> None:
        from lemminflect import config

        masks: dict[int, int] = {}

        def add(word: str, upos: str) -> None:
            if upos in CLASSES:
                key = hash(word)
                masks[key] = masks.get(key, 0) | 1 << CLASSES.index(upos)

        with gzip.open(config.lemma_lu_fn, "rt", encoding="utf-8") as table:
            for line in table:
                word, category, _ = line.rstrip("\n").split(",", 2)
                add(word, _CATEGORY.get(category, category.upper()))
        with open(config.lemma_overrides_fn, encoding="utf-8") as overrides:
            for line in overrides:
                line = line.strip()
                if line and not line.startswith("#"):
                    word, upos, _ = line.split(",", 2)
                    add(word, upos)
        keys = np.fromiter(masks.keys(), dtype=np.int64, count=len(masks))
        bits = np.fromiter(masks.values(), dtype=np.uint8, count=len(masks))
        order = np.argsort(keys)
        self._keys: npt.NDArray[np.int64] = keys[order]
        self._bits: npt.NDArray[np.uint8] = bits[order]

    def classes(self, word: str) -> frozenset[str]:
        """The classes ("NOUN", "VERB", "ADJ", ...) the lexicon knows `word` in; empty for
        a word it does not know."""
        key = hash(word.lower())
        at = int(np.searchsorted(self._keys, key))
        if at == len(self._keys) or int(self._keys[at]) != key:
            return frozenset()
        bits = int(self._bits[at])
        return frozenset(name for n, name in enumerate(CLASSES) if bits >> n & 1)


_lock = threading.Lock()
_lexicon: Lexicon | None = None


def lexicon() -> Lexicon:
    """The one lexicon of this process, read on first use (about 0.3 s)."""
    global _lexicon
    with _lock:
        if _lexicon is None:
            _lexicon = Lexicon()
        return _lexicon


@lru_cache(maxsize=10_000)  # words come from users: bounded like the other caches here
def word_classes(word: str) -> frozenset[str]:
    """The word classes the English lexicon knows `word` in (empty if it does not)."""
    return lexicon().classes(word)
