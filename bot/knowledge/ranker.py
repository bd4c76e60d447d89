"""The learned ranker: which passage answers a question, or "decline".

A softmax regression over two kinds of feature: the question's sentence embedding, and,
for each class (a manifesto section, an FAQ entry, an interview item, the timetable,
"decline", ...), how close the question is to that class's nearest training example.
The second kind lets a class known from a handful of examples (an interview item) be
recognised from a paraphrase. Fitting is plain full-batch Adam in numpy, from zeros, so
the same examples give the same weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bot.knowledge.config import RankerConfig

DECLINE = "decline"
Matrix = npt.NDArray[np.float32]


def closest_per_class(
    vectors: Matrix,
    examples: Matrix,
    starts: npt.NDArray[np.int64],
    own: npt.NDArray[np.int64] | None = None,
) -> Matrix:
    """For each vector, its cosine to the nearest example of each class.

    `examples` are sorted by class; `starts` is where each class's rows begin. `own[i]`
    is the example that vector i itself is (-1 for none): it is not its own neighbour.
    """
    similarity = vectors @ examples.T
    if own is not None:
        rows = np.flatnonzero(own >= 0)
        similarity[rows, own[rows]] = -1.0
    nearest: Matrix = np.maximum.reduceat(similarity, starts, axis=1).astype(np.float32)
    return nearest


def with_bias(features: Matrix) -> Matrix:
    return np.hstack([features, np.ones((len(features), 1), dtype=np.float32)])


def softmax(logits: Matrix) -> Matrix:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    out: Matrix = (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)
    return out


def fit(
    features: Matrix, labels: npt.NDArray[np.int64], classes: int, config: RankerConfig
) -> Matrix:
    """Weights of a softmax regression with L2, by full-batch Adam from zeros."""
    x = with_bias(features)
    target = np.eye(classes, dtype=np.float32)[labels]
    weights = np.zeros((x.shape[1], classes), dtype=np.float32)
    first = np.zeros_like(weights)
    second = np.zeros_like(weights)
    penalty = np.ones((x.shape[1], 1), dtype=np.float32)
    penalty[-1] = 0.0  # the bias is not shrunk
    for step in range(1, config.iterations + 1):
        gradient = x.T @ (softmax(x @ weights) - target) / len(x)
        gradient += config.l2 * penalty * weights
        first = (0.9 * first + 0.1 * gradient).astype(np.float32)
        second = (0.999 * second + 0.001 * gradient * gradient).astype(np.float32)
        corrected = first / (1 - 0.9**step)
        scale = np.sqrt(second / (1 - 0.999**step)) + 1e-8
        weights -= (config.step * corrected / scale).astype(np.float32)
    return weights


@dataclass(frozen=True)
class Ranker:
    labels: tuple[str, ...]
    weights: Matrix
    examples: Matrix  # the questions and lines as asked (not framed words), sorted by class
    starts: npt.NDArray[np.int64]  # where each class's examples begin
    threshold: float  # below this top probability, decline
    similarity_weight: float

    @classmethod
    def train(
        cls,
        vectors: Matrix,
        labels: list[str],
        config: RankerConfig,
        threshold: float = 0.0,
        bank: list[bool] | None = None,
    ) -> Ranker:
        """Fit on every example; `bank` says which are kept as the examples questions are
        compared with (the questions and lines as asked: comparing with framed keywords
        too would double the work per question for little)."""
        names = tuple(sorted(set(labels)))
        index = {name: n for n, name in enumerate(names)}
        y = np.array([index[label] for label in labels], dtype=np.int64)
        kept = np.array(bank if bank is not None else [True] * len(labels), dtype=bool)
        for number in range(len(names)):  # every class keeps at least its examples' first
            if not kept[y == number].any():
                kept[np.flatnonzero(y == number)[0]] = True
        chosen = np.flatnonzero(kept)
        order = chosen[np.argsort(y[chosen], kind="stable")]
        examples = vectors[order].astype(np.float32)
        starts = np.searchsorted(y[order], np.arange(len(names))).astype(np.int64)
        own = np.full(len(labels), -1, dtype=np.int64)
        own[order] = np.arange(len(order))
        near = closest_per_class(vectors.astype(np.float32), examples, starts, own)
        features = np.hstack([vectors.astype(np.float32), config.similarity_weight * near])
        weights = fit(features, y, len(names), config)
        return cls(names, weights, examples, starts, threshold, config.similarity_weight)

    def probabilities(self, vectors: Matrix) -> Matrix:
        near = closest_per_class(vectors, self.examples, self.starts)
        features = np.hstack([vectors, self.similarity_weight * near])
        return softmax(with_bias(features) @ self.weights)

    def with_threshold(self, threshold: float) -> Ranker:
        return Ranker(
            self.labels, self.weights, self.examples, self.starts, threshold, self.similarity_weight
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".partial.npz")
        np.savez(
            scratch,
            labels=np.array(self.labels),
            weights=self.weights,
            examples=self.examples,
            starts=self.starts,
            threshold=np.array(self.threshold),
            similarity_weight=np.array(self.similarity_weight),
        )
        scratch.replace(path)

    @classmethod
    def load(cls, path: Path) -> Ranker:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                tuple(str(label) for label in data["labels"]),
                data["weights"].astype(np.float32),
                data["examples"].astype(np.float32),
                data["starts"].astype(np.int64),
                float(data["threshold"]),
                float(data["similarity_weight"]),
            )
