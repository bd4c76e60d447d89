"""Training the learned ranker: labelled questions in, a ranker with its threshold out.

Examples come from three places, each with the class it answers recorded, not guessed:
- the pack itself: each section's title, questions and lines, each FAQ entry's question,
  alternates and answer, each step, each interview item, the timetable's labels, and
  each keyword of theirs set in the pack's question frames ("what's his line on X");
- the question files in `campaign/eval/` (every line carries its `unit`), except the
  held-out files that `sets.yaml` names; the topic words of their "decline" questions
  are set in the same frames as "decline" examples, so the frames alone decide nothing;
- the answers organisers added (`/answer`), each its own class.

The decline threshold is chosen by cross-validation across the question files (whole
files held out, five folds), never on a held-out file. The result is cached under a hash
of everything that goes into it, so it is built once and is the same from the same inputs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.campaign.pack import Campaign
from bot.knowledge.config import DEFAULT, RankerConfig
from bot.knowledge.encoder import Encoder, Vector
from bot.knowledge.ranker import DECLINE, Ranker
from bot.knowledge.words import QUESTION_WORDS, STOPWORDS

log = logging.getLogger(__name__)

TRAINING_VERSION = "2"  # bump when what is trained, or how, changes
FOLDS = 5
_WORD = re.compile(r"[a-z0-9']+")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    group: str  # "pack", "learned", or the question file it comes from
    asked: bool = True  # False for topic words set in a frame by the training itself


def plain_names(full: str, short: str) -> Callable[[str], str]:
    """A question with the candidate called as the material calls him ("Serwotka's line"
    reads "Mark's line"): the sentence model reads a surname it rarely saw in training as
    a topic of its own."""
    others = [w for w in full.split() if w.lower() != short.lower()]
    if not short or not others:
        return lambda text: text
    pattern = re.compile(
        r"\b(?:" + re.escape(full) + "|" + "|".join(map(re.escape, others)) + r")\b",
        re.IGNORECASE,
    )
    return lambda text: pattern.sub(short, text)


def pack_examples(campaign: Campaign) -> list[Example]:
    """What the pack itself says, each line labelled with the passage it belongs to."""
    out: list[Example] = []
    frames = campaign.language.question_frames
    short = campaign.candidate.short_name

    def add(label: str, texts: Iterable[str], keywords: Iterable[str] = ()) -> None:
        out.extend(Example(t.strip(), label, "pack") for t in texts if t.strip())
        for n, keyword in enumerate(keywords):
            out.append(Example(keyword, label, "pack", asked=False))
            if frames:
                framed = frames[n % len(frames)].format(topic=keyword, short_name=short)
                out.append(Example(framed, label, "pack", asked=False))

    for s in campaign.sections:
        add(s.id, [s.title, *s.questions, s.summary, *s.pledges, *s.record, *s.facts], s.keywords)
    for e in campaign.faq:
        add(f"faq-{e.id}", [e.question, *e.alternates, e.answer], e.keywords)
    steps = campaign.steps
    add("what-you-can-do", [*steps.questions, *(f"{s.title}. {s.text}" for s in steps.steps)])
    add("what-you-can-do", [], steps.keywords)
    if campaign.background:
        for item in campaign.background.items:
            sentences = re.split(r"(?<=[.:;])\s+", item.text.strip())
            add(item.id, [item.title, *sentences, *item.claims], item.keywords)
    add("timetable", [e.label for e in campaign.info.timetable.values()])
    return out


def question_files(folder: Path) -> list[Path]:
    """The question files that train the ranker: all but the held-out ones."""
    manifest = folder / "sets.yaml"
    held_out: set[str] = set()
    if manifest.is_file():
        held_out = set(
            (yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}).get("held_out", [])
        )
    return [p for p in sorted(folder.glob("*.jsonl")) if p.name not in held_out]


def file_examples(path: Path, campaign: Campaign) -> list[Example]:
    """A question file's labelled lines, and its declined topics set in the frames."""
    out: list[Example] = []
    names = {w for n in campaign.candidate.aliases for w in _WORD.findall(n.lower())}
    frames = campaign.language.question_frames
    short = campaign.candidate.short_name
    plain = plain_names(campaign.candidate.name, short)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = json.loads(line)
        label = item.get("unit")
        if not label:
            continue
        out.append(Example(plain(str(item["q"])), str(label), path.stem))
        if label == DECLINE and frames:
            topic = [
                w
                for w in _WORD.findall(str(item["q"]).lower())
                if w not in STOPWORDS and w not in QUESTION_WORDS and w not in names
            ]
            if 1 <= len(topic) <= 3:
                words = " ".join(topic)
                frame = frames[number % len(frames)]
                framed = frame.format(topic=words, short_name=short)
                out.append(Example(words, DECLINE, path.stem, asked=False))
                out.append(Example(framed, DECLINE, path.stem, asked=False))
    return out


def learned_examples(learned: Iterable[Any]) -> list[Example]:
    return [Example(a.question, f"faq-q{a.id}", "learned") for a in learned]


class EmbeddingCache:
    """Embeddings of training texts, kept on disk by text, so retraining encodes only new ones."""

    def __init__(self, encoder: Encoder, folder: Path):
        self.encoder = encoder
        self.path = folder / f"embeddings-{encoder.name}.npz"
        self._known: dict[str, Vector] = {}
        if self.path.is_file():
            with np.load(self.path, allow_pickle=False) as data:
                self._known = dict(
                    zip((str(k) for k in data["keys"]), data["vectors"], strict=True)
                )

    @staticmethod
    def _key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()  # noqa: S324 - a cache key, not security

    def vectors(self, texts: Sequence[str]) -> Vector:
        new = sorted({t for t in texts if self._key(t) not in self._known})
        if new:
            for text, vector in zip(new, self.encoder.encode(new), strict=True):
                self._known[self._key(text)] = vector
            self.path.parent.mkdir(parents=True, exist_ok=True)
            scratch = self.path.with_suffix(".partial.npz")
            keys = sorted(self._known)
            np.savez(scratch, keys=np.array(keys), vectors=np.array([self._known[k] for k in keys]))
            scratch.replace(self.path)
        return np.array([self._known[self._key(t)] for t in texts], dtype=np.float32)


class UnitVectors:
    """Embeddings of the few texts the engine needs at every start (its units), in a small
    file of their own named by their hash, so that start-up reads no training data."""

    def __init__(self, encoder: Encoder, folder: Path):
        self.encoder = encoder
        self.folder = folder

    def vectors(self, texts: Sequence[str]) -> Vector:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        digest = hashlib.sha256("\n\x00".join(texts).encode()).hexdigest()[:20]
        path = self.folder / f"units-{self.encoder.name}-{digest}.npy"
        if path.is_file():
            loaded: Vector = np.load(path).astype(np.float32)
            return loaded
        found = self.encoder.encode(texts)
        self.folder.mkdir(parents=True, exist_ok=True)
        scratch = path.with_suffix(".partial.npy")
        np.save(scratch, found)
        scratch.replace(path)
        _prune(self.folder, "units-*.npy", KEEP_MODELS * 4)
        return found


def _accuracy(predicted: Sequence[str], truth: Sequence[str]) -> tuple[float, float]:
    answerable = [(p, t) for p, t in zip(predicted, truth, strict=True) if t != DECLINE]
    declines = [p for p, t in zip(predicted, truth, strict=True) if t == DECLINE]
    answered = sum(p == t for p, t in answerable) / max(1, len(answerable))
    declined = sum(p == DECLINE for p in declines) / max(1, len(declines))
    return answered, declined


def cross_validate(
    examples: Sequence[Example], vectors: Vector, config: RankerConfig
) -> dict[str, Any]:
    """Choose the decline threshold on files held out whole, FOLDS folds of files."""
    files = sorted({e.group for e in examples if e.group not in ("pack", "learned")})
    fold_of = {name: n % FOLDS for n, name in enumerate(files)}
    held: list[tuple[str, Vector]] = []  # (true label, probabilities row)
    label_rows: list[tuple[str, ...]] = []
    for fold in range(FOLDS):
        train = [i for i, e in enumerate(examples) if fold_of.get(e.group, -1) != fold]
        test = [i for i, e in enumerate(examples) if fold_of.get(e.group, -1) == fold]
        test = [i for i in test if examples[i].asked]  # not the framed topic words
        if not test:
            continue
        bank = [examples[i].asked for i in train]
        ranker = Ranker.train(vectors[train], [examples[i].label for i in train], config, bank=bank)
        probabilities = ranker.probabilities(vectors[test])
        for i, row in zip(test, probabilities, strict=True):
            held.append((examples[i].label, row))
            label_rows.append(ranker.labels)
    best: tuple[float, float, float, float] = (-1.0, 0.0, 0.0, 0.0)
    scores = {}
    for threshold in config.thresholds:
        predicted = []
        for (_, row), names in zip(held, label_rows, strict=True):
            top = int(np.argmax(row))
            predicted.append(DECLINE if row[top] < threshold else names[top])
        answered, declined = _accuracy(predicted, [t for t, _ in held])
        scores[str(threshold)] = [round(answered, 4), round(declined, 4)]
        balanced = (answered + declined) / 2
        if balanced > best[0]:
            best = (balanced, threshold, answered, declined)
    return {
        "threshold": best[1],
        "answered_right": round(best[2], 4),
        "declined_right": round(best[3], 4),
        "questions": len(held),
        "files": files,
        "by_threshold": scores,
    }


def inputs_hash(examples: Sequence[Example], encoder: Encoder, config: RankerConfig) -> str:
    digest = hashlib.sha256()
    digest.update(f"{TRAINING_VERSION}|{encoder.name}|{config.key()}\n".encode())
    for e in examples:
        digest.update(f"{e.group}\t{e.label}\t{e.asked}\t{e.text}\n".encode())
    return digest.hexdigest()[:20]


def build_ranker(
    campaign: Campaign,
    encoder: Encoder,
    learned: Iterable[Any] = (),
    cache: Path | None = None,
    config: RankerConfig = DEFAULT,
    force: bool = False,
) -> tuple[Ranker, dict[str, Any]]:
    """The trained ranker for this pack (and these organiser answers), from the cache
    when it holds one built from the same inputs."""
    from bot.knowledge.encoder import cache_dir

    folder = cache or cache_dir()
    base = pack_examples(campaign)
    for path in question_files(campaign.root / "eval"):
        base += file_examples(path, campaign)
    extra = learned_examples(learned)
    base_key = inputs_hash(base, encoder, config)
    key = inputs_hash([*base, *extra], encoder, config)
    model_path = folder / f"ranker-{key}.npz"
    report_path = folder / f"ranker-{base_key}.cv.json"
    if model_path.is_file() and report_path.is_file() and not force:
        return Ranker.load(model_path), json.loads(report_path.read_text())
    embeddings = EmbeddingCache(encoder, folder)
    if report_path.is_file() and not force:
        report = json.loads(report_path.read_text())
    else:
        log.info("choosing the ranker's decline threshold by cross-validation (once)")
        report = cross_validate(base, embeddings.vectors([e.text for e in base]), config)
        folder.mkdir(parents=True, exist_ok=True)
        report_path.write_text(json.dumps(report, indent=2))
    everything = [*base, *extra]
    vectors = embeddings.vectors([e.text for e in everything])
    ranker = Ranker.train(
        vectors,
        [e.label for e in everything],
        config,
        report["threshold"],
        bank=[e.asked for e in everything],
    )
    ranker.save(model_path)
    _prune(folder, "ranker-*.npz", KEEP_MODELS)
    return ranker, report


KEEP_MODELS = 6  # trained rankers kept in the cache, newest first (each is a few MB)


def _prune(folder: Path, pattern: str, keep: int) -> None:
    """Remove all but the newest `keep` cached files matching `pattern`."""
    found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in found[keep:]:
        old.unlink(missing_ok=True)


def train_command(
    campaign: Campaign, learned: Iterable[Any] = (), force: bool = False
) -> dict[str, Any]:
    """`mobilise train`: build (or find in the cache) the ranker; report how it was chosen."""
    from bot.knowledge.encoder import load_encoder

    encoder = load_encoder()
    if encoder is None:
        return {"trained": False, "reason": "the sentence model is not installed"}
    ranker, report = build_ranker(campaign, encoder, learned, force=force)
    return {
        "trained": True,
        "encoder": encoder.name,
        "classes": len(ranker.labels),
        "examples": len(ranker.examples),
        "threshold": ranker.threshold,
        "cross_validation": report,
    }
