"""Reading questions the way people type them: case, typos, short forms, "he" and "Mark".

`Language` is built from the campaign pack: its abbreviations and synonyms, the
candidate's names, and the vocabulary of everything the bot can answer from, which
misspelt words are corrected towards (rapidfuzz). Words are reduced to stems (Snowball)
for matching. A word the campaign material never uses is a possible topic the bot knows
nothing about ("Brexit"), unless an English lexicon (lemminflect) knows it only as a
verb or adverb: "negotiated", "punished" and "anyway" are not a question's subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.knowledge.cues import (
    _asks_own_part,
    _describes_the_asker,
    _said_as_verb,
    question_cues,
    word_class,
)
from bot.knowledge.words import GENERIC, POST, QUESTION_WORDS, STOPWORDS
from bot.text import words

_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans({"’": "", "‘": "", "'": "", "`": "", "´": ""})


def _phrases_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """A pattern that finds any of the phrases as whole words, earlier ones first."""
    listed = "|".join(re.escape(p) for p in phrases) or "(?!)"  # none: matches nothing
    return re.compile(r"(?<= )(?:" + listed + r")(?= )")


POSSESSIVES = words("his")
# Set phrases read as the one word they mean, whatever the campaign.
_SET_PHRASES = {
    "no one": "nobody",
    "nobodys": "nobody",
    "no ones": "nobody",
    "stand for": "mean",
    "as well": "too",
    "whats the reason": "why",
    "what is the reason": "why",
    "whats the point of": "why",
    "what is the point of": "why",
    "whats the point in": "why",
    "what is the point in": "why",
}
_SET_PHRASE_RE = _phrases_pattern(_SET_PHRASES)
# Endings that turn a known stem into a word the material does not use ("younger").
ENDINGS = words(
    """
    s es ed er ers est ing ly ity ities ise ised ises ising ize ized izes izing ation ations
    ment ments ness ship ships ent ently ence ences ive ively ion ions ional ionship al ally
    ful
    """
)
# Words seen in questions are cached up to this many each (they come from users, so the
# caches are bounded): a few MB at most.
CACHE_LIMIT = 10_000
RECENT_READINGS = 1024  # questions whose reading is kept
MIN_NAMED = 2  # known topic words a question needs before an unknown verb is let pass


@dataclass(frozen=True, slots=True)
class Reading:
    """A question as the engine sees it."""

    original: str
    words: tuple[str, ...]  # normalised surface words, abbreviations expanded
    # Topic concepts, each one or more alternatives, each alternative one or more stems:
    # a word is one concept; "NEC" is one concept whose alternatives are the stems of
    # "national executive committee" and "nec". No stopwords, candidate or post.
    concepts: tuple[tuple[tuple[str, ...], ...], ...]
    mentions_candidate: bool
    unknown: tuple[str, ...]  # topic words the campaign material never uses
    possessive: bool = False  # "Mark's ...", "his ..."
    raw: tuple[str, ...] = ()  # the words as typed (folded), before any correction
    cues: frozenset[str] = frozenset()  # the kind of question: how many, how to, why ...
    # Words the material never uses that are never nouns ("decent", "punished").
    modifiers: tuple[str, ...] = ()
    names_a_branch: bool = False  # a word of a branch's name, group or region
    # Concepts (by number) said as verbs ("will Mark *call* a ballot"): they colour a
    # question; the things it names are what it is about.
    actions: frozenset[int] = frozenset()
    # Words too common in the campaign to be a topic ("members", "union"): they only
    # help choose between passages that answer the topic equally.
    minor: tuple[str, ...] = ()

    def has(self, *wanted: str) -> bool:
        return any(word in self.words for word in wanted)

    @property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem for concept in self.concepts for choice in concept for stem in choice)


class Language:
    def __init__(
        self,
        abbreviations: Mapping[str, str],
        candidate_names: Iterable[str],
        vocabulary: Iterable[str],
        neutral: Iterable[str] = (),
        post: str = "",
        common: Iterable[str] = (),
        synonyms: Mapping[str, Iterable[str]] | None = None,
        correctable: Iterable[str] = (),
        asking_nouns: Iterable[str] = (),
        lexicon: bool = True,
    ):
        """`correctable`: campaign words typos are corrected towards even where the pack
        does not use them; `asking_nouns`: words that ask for a view but name no topic;
        `lexicon`: whether to consult the English lexicon (lemminflect) to tell verbs and
        adverbs from topics. The learned ranker does without it (and its memory)."""
        correct = {w.lower() for w in correctable}
        self.asking_nouns = frozenset(w.lower() for w in asking_nouns)
        self._lexicon = lexicon
        self._stemmer = snowballstemmer.stemmer("english")
        self._stems: dict[str, str] = {}
        phrases = {k.lower(): v.lower() for k, v in abbreviations.items()}
        self._phrase_abbr = {k: v for k, v in phrases.items() if " " in k}
        self._word_abbr = {k: v for k, v in phrases.items() if " " not in k}
        # One pass over a question for every set phrase, the pack's order deciding overlaps.
        self._phrase_abbr_joined = {k: v.replace(" ", "~") for k, v in self._phrase_abbr.items()}
        self._phrase_re = _phrases_pattern(self._phrase_abbr)
        names = {n.lower().translate(_APOSTROPHES) for n in candidate_names}
        self._name_phrases = sorted((n for n in names if " " in n), key=len, reverse=True)
        self._name_words = {n for n in names if " " not in n}
        self._possessive_names = frozenset(f"{n}s" for n in self._name_words) | POSSESSIVES
        # The candidate's names as words ("mark", "serwotka"), not the pronouns.
        self.candidate_words = frozenset(
            w for n in names for w in n.split() if w not in POSSESSIVES and len(w) > 3
        )
        self._synonyms = {
            key.lower(): [" ".join(_WORD.findall(self._fold(v))) for v in values]
            for key, values in (synonyms or {}).items()
        }
        # A noun's synonyms serve its plural and singular too ("rule", "rules").
        for key, values in list(self._synonyms.items()):
            if key.endswith("ss"):
                continue
            other = (
                key[:-2] if key.endswith("sses") else key[:-1] if key.endswith("s") else f"{key}s"
            )
            self._synonyms.setdefault(other, values)
        words = {w for text in vocabulary for w in _WORD.findall(self._fold(text))}
        words |= {w for text in phrases.values() for w in _WORD.findall(text)}
        # A synonym is known as typed, but its stem says nothing of other words: that
        # "accountable" is listed does not make "account" a word the material uses.
        self._known_stems = frozenset(self.stem(w) for w in words)
        words |= {w for key, values in self._synonyms.items() for w in [key, *values]}
        self.vocabulary = frozenset(words)
        self._quiet_stems = frozenset(self.stem(w) for w in STOPWORDS | QUESTION_WORDS | GENERIC)
        # Branch names, groups and regions are known words but no topic, unless the
        # campaign material itself uses them ("Scotland", "cleaners").
        self._neutral = frozenset(
            w
            for text in neutral
            for w in _WORD.findall(self._fold(text))
            if self.stem(w) not in self._known_stems
        )
        self._post = " ".join(_WORD.findall(self._fold(post)))
        # Words so common in this campaign that they say nothing about a question's topic.
        self._common = frozenset(self.stem(w) for w in common)
        self._correct_to = sorted(
            w for w in words | correct | QUESTION_WORDS if len(w) >= 3 and not w.isdigit()
        )
        self._correct_by_letter: dict[str, list[str]] = {}
        for choice in self._correct_to:
            self._correct_by_letter.setdefault(choice[0], []).append(choice)
        self._corrections: dict[str, str | None] = {}
        # Many people ask the same thing: a question read once is not read again.
        self._cached_read = lru_cache(maxsize=RECENT_READINGS)(self._read)

    @staticmethod
    def _fold(text: str) -> str:
        return text.lower().translate(_APOSTROPHES)

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stemmer.stemWord(word)
            if len(self._stems) < CACHE_LIMIT:
                self._stems[word] = stem
        return stem

    def knows(self, word: str) -> bool:
        return word in self.vocabulary or self.stem(word) in self._known_stems

    def _correct(self, word: str) -> str | None:
        if word in self._corrections:
            return self._corrections[word]
        fixed: str | None = None
        if len(word) >= 5 and not word.isdigit():
            # One slip in a short word, two in a long one; typos rarely hit the first letter.
            allowed = 1 if len(word) < 9 else 2
            choices = self._correct_by_letter.get(word[0], ())
            match = process.extractOne(
                word, choices, scorer=Levenshtein.distance, score_cutoff=allowed
            )
            if match is not None:
                fixed = str(match[0])
        if len(self._corrections) < CACHE_LIMIT:
            self._corrections[word] = fixed
        return fixed

    def read(self, question: str, find_actions: bool = True) -> Reading:
        """How a question reads. `find_actions=False` skips telling verbs from the things
        a question names, which only answering needs (it may load the English lexicon)."""
        return self._cached_read(question, find_actions)

    def _read(self, question: str, find_actions: bool) -> Reading:
        found = _WORD.findall(self._fold(question))
        text = f" {' '.join(found)} "
        text = _SET_PHRASE_RE.sub(lambda m: _SET_PHRASES[m.group(0)], text)
        text = self._phrase_re.sub(lambda m: self._phrase_abbr_joined[m.group(0)], text)
        if self._post:
            text = text.replace(f" {self._post} ", f" {POST} ")
        possessive = False
        for phrase in self._name_phrases:
            if f" {phrase}s " in text:
                possessive = True
                text = text.replace(f" {phrase}s ", " candidate ")
            text = text.replace(f" {phrase} ", " candidate ")
        # Each concept is a word, or the words a short form stands for; "a / b" are
        # alternatives ("nec: national executive committee nec": either will do).
        concepts: list[str] = []
        synonyms_of: dict[int, list[str]] = {}  # matched too, but not read as said
        for word in text.split():
            expansion = self._word_abbr.get(word, word.replace("~", " ")).split()
            if " ".join(expansion) == self._post:
                concepts.append(POST)
            elif word in expansion and len(expansion) > 1:
                concepts.append(" ".join(w for w in expansion if w != word) + f" / {word}")
            elif word in self._synonyms:
                concepts.append(word)
                synonyms_of[len(concepts) - 1] = self._synonyms[word]
            else:
                concepts.append(" ".join(expansion))
        tokens: list[str] = []
        unknown: list[str] = []
        verbs: list[str] = []
        mentions = False
        found_concepts: list[tuple[tuple[str, ...], ...]] = []
        actions: set[int] = set()
        said = text.split()
        identity = _describes_the_asker(said) if _asks_own_part(said) else set()
        for number, concept in enumerate(concepts):
            alternatives = []
            for choice in concept.split(" / "):
                stems = []
                for word in choice.split():
                    read_as, stem, is_possessive = self._take(word)
                    tokens.append(read_as)
                    possessive = possessive or is_possessive
                    mentions = mentions or read_as == "candidate"
                    if stem is None and len(read_as) >= 2 and self._is_topic(read_as):
                        kind = word_class(read_as) if self._lexicon else None
                        if kind == "verb":
                            verbs.append(read_as)
                        elif kind != "adverb":  # "anyway", "currently": filler
                            unknown.append(read_as)
                    elif stem:
                        stems.append(stem)
                if stems:
                    alternatives.append(tuple(dict.fromkeys(stems)))
            if alternatives:
                for synonym in synonyms_of.get(number, ()):
                    stems = [self.stem(w) for w in synonym.split() if self._is_topic(w)]
                    if stems:
                        alternatives.append(tuple(dict.fromkeys(stems)))
            if alternatives and number in identity:
                continue  # "I'm a rep, what should I do?": who asks, not what about
            if alternatives and tuple(alternatives) not in found_concepts:
                if (
                    find_actions
                    and self._lexicon
                    and _said_as_verb(said, number, self._possessive_names)
                ):
                    actions.add(len(found_concepts))
                found_concepts.append(tuple(alternatives))
        # A figure is asked about beside a topic ("need 15 branches"), never alone ("15 times 15").
        figures = [c for c in found_concepts if all(s.isdigit() for a in c for s in a)]
        if len(figures) == len(found_concepts):
            found_concepts, actions = [], set()
        # A verb the material never uses colours a question that names two things it knows
        # ("will pay be negotiated nationally?"); beside one, it may be the whole point
        # ("translate this into Welsh", "apply for a job").
        if len(found_concepts) >= MIN_NAMED:
            modifiers, unknown = verbs, unknown
        else:
            modifiers, unknown = [], unknown + verbs
        return Reading(
            original=question,
            words=tuple(tokens),
            concepts=tuple(found_concepts),
            mentions_candidate=mentions,
            unknown=tuple(dict.fromkeys(unknown)),
            possessive=possessive,
            cues=question_cues(tokens, found),
            raw=tuple(found),
            modifiers=tuple(dict.fromkeys(modifiers)),
            names_a_branch=any(word in self._neutral for word in found),
            actions=frozenset(actions),
            minor=tuple(dict.fromkeys(s for s in map(self.stem, found) if s in self._common)),
        )

    def _is_topic(self, token: str) -> bool:
        """A word that is not filler, a name, a number, a branch or a campaign commonplace."""
        if token in STOPWORDS or token in QUESTION_WORDS or token in GENERIC:
            return False
        if token.isdigit():
            return token in self.vocabulary  # "15 branches": a figure the material gives
        if len(token) < 2 or token in self._neutral:
            return False
        stem = self.stem(token)
        return stem not in self._quiet_stems and stem not in self._common

    def _take(self, word: str) -> tuple[str, str | None, bool]:
        """(the word as read, its topic stem or None, whether it is "Mark's"/"his")."""
        if word == POST:
            return POST, "", False
        if word in POSSESSIVES or (word.endswith("s") and word[:-1] in self._name_words):
            return "candidate", "", True
        if word in self._name_words or word == "candidate":
            return "candidate", "", False
        if not self._is_topic(word):
            return word, "", False
        # A real English word is no typo: "submit" is not a misspelt "summit".
        if not self.knows(word) and (not self._lexicon or word_class(word) is None):
            fixed = self._correct(word)
            if fixed is not None:
                word = fixed
                if not self._is_topic(word):
                    return word, "", False
        if self.knows(word):
            return word, self.stem(word), False
        prefix = self._known_prefix(word)
        if prefix in self._common or prefix in self._quiet_stems:
            return word, "", False  # "membership": a commonplace, like "members"
        return word, prefix, False

    def _known_prefix(self, word: str) -> str | None:
        """A known stem that `word` extends by a common ending ("scrutinised")."""
        for cut in range(len(word) - 1, 4, -1):
            stem, ending = word[:cut], word[cut:]
            if ending in ENDINGS and stem in self._known_stems:
                return stem
        return None

    def index_terms(self, text: str) -> list[str]:
        """Stems of a passage of campaign material, for the index (the post's name aside)."""
        words = f" {' '.join(_WORD.findall(self._fold(text)))} "
        if self._post:
            words = words.replace(f" {self._post} ", " ")
        stems = (self.stem(w) for w in words.split())
        return [s for s in stems if s not in self._quiet_stems]
