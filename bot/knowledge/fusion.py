"""Ranking the pack's units without questions written in-house, and fusing the rankings.

- `Bm25`: lexical relevance (Okapi BM25, k1 = 1.2, b = 0.75, the usual constants) over
  each unit's own words, its title and the key terms it carries.
- The sentence model's cosine between the question and each unit.
- The learned ranker's probability for each unit's class (one signal among three).

`fuse` combines rankings by reciprocal-rank fusion (Cormack, Clarke and Büttcher, 2009,
with their k = 60): a unit's score is the sum over rankings of 1 / (k + its rank). Ranks,
not scores, are combined, so no weight between the signals is chosen on any question set.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

K1 = 1.2
B = 0.75
RRF_K = 60

Scores = npt.NDArray[np.float64]


class Bm25:
    """Okapi BM25 over documents given as lists of terms (stems)."""

    def __init__(self, documents: Sequence[Sequence[str]]):
        self.size = len(documents)
        lengths = np.array([len(d) for d in documents], dtype=np.float64)
        average = float(lengths.mean()) if self.size else 1.0
        self._norm = K1 * (1 - B + B * lengths / max(average, 1e-9))
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for number, document in enumerate(documents):
            for term, count in Counter(document).items():
                self._postings.setdefault(term, []).append((number, count))
        self._idf = {
            term: math.log(1 + (self.size - len(found) + 0.5) / (len(found) + 0.5))
            for term, found in self._postings.items()
        }

    def idf(self, term: str) -> float:
        """The term's weight: rarer terms weigh more (0 for one no document holds)."""
        return self._idf.get(term, 0.0)

    def scores(self, query: Sequence[str]) -> Scores:
        out = np.zeros(self.size, dtype=np.float64)
        for term in set(query):
            found = self._postings.get(term)
            if not found:
                continue
            idf = self._idf[term]
            for number, count in found:
                out[number] += idf * count * (K1 + 1) / (count + self._norm[number])
        return out


def ranks(scores: Scores) -> npt.NDArray[np.int64]:
    """Each item's rank (0 = best) by score, ties in order."""
    order = np.argsort(-scores, kind="stable")
    out = np.empty(len(scores), dtype=np.int64)
    out[order] = np.arange(len(scores))
    return out


def fuse(*rankings: npt.NDArray[np.int64]) -> Scores:
    """Reciprocal-rank fusion of rankings given as each item's rank."""
    total = np.zeros(len(rankings[0]), dtype=np.float64)
    for rank in rankings:
        total += 1.0 / (RRF_K + 1 + rank)
    return total
