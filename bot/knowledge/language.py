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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.text import words

_WORD = re.compile(r"[a-z0-9]+")
_APOSTROPHES = str.maketrans({"’": "", "‘": "", "'": "", "`": "", "´": ""})

# Words that carry no topic. Question words are kept apart: they signal intent.
STOPWORDS = words(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing done down during each
    few for from further had has have having her here hers herself hi hello hey him
    himself i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some
    such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what whats which while who whom whose
    why with would you your yours yourself yourselves will shall may might must ok okay
    pls please plz thanks thank cheers mate lol yeah yes yep u ur im ive id ill youre
    theyre thats theres hes shes weve youve theyve wed youd theyd theyll youll itll
    whove couldve wouldve shouldve isnt arent wasnt werent dont doesnt didnt cant couldnt
    wont wouldnt shouldnt hasnt havent hadnt get got gets also anything something
    everything really actually tell know let like want wants need needs thing
    things bit lot lots much many way us go going gonna wanna say says said see make
    makes made anyone someone everyone nobody noone people person
    ever never always often sometimes already still yet again ago since also else
    become becomes became becoming kind kinds sort sorts type types whole part parts
    behind across along among around within without upon onto toward towards beside
    besides via per able unable allowed allow allows lets fill fills filled use used
    uses using try tries tried give gives given take takes took taken put puts keep
    keeps kept come comes came seem seems seemed look looks looked find finds found
    mind matter matters sure probably maybe perhaps quite rather enough even though
    although however whether either neither each every any many much more most less
    least lot lots bit thing things stuff way ways day supposed ought another s t d ll m re ve
    """
)

QUESTION_WORDS = words(
    """
    when what where who how why which whats wen wot wat hw whens whos hows
    """
)

# Words that say "opinion" or "plan" but not what about; they never count as a topic.
GENERIC = words(
    """
    think thinks view views stance position positions policy policies plan plans opinion
    opinions feel feels believe believes on about regarding re intend intends promise
    promises pledge pledges commit commits commitment commitments priority priorities
    doing do did happen happens happening going will would gonna idea ideas approach
    agenda offer offers fight fights fighting tackle tackles tackling deal deals dealing
    bring brings bringing push pushes pushing handle sort fix anything happened work works
    election elections time times better best good great improve improved improving fewer
    less lower higher bigger smaller mean means meaning meant definition define explain
    explanation care cares caring answer answers response percentage next first main key
    new current latest stop stops stopping prevent prevents aim aims goal goals period
    worried worry worries concerned bothered keen interested strategy strategies level
    levels relationship relationships problem problems issue issues quick quickly final
    hiya reason reasons role roles purpose
    """
)


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
POST = "_post_"  # stands for the post being elected, which is no topic of its own

_CORRECTABLE = words(
    """
    when what where who how why which deadline deadlines close closes closing closed
    open opens opening ballot ballots vote voting nominations nomination nominate
    meeting notice
    """
)


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
    ):
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
            w for w in words | _CORRECTABLE | QUESTION_WORDS if len(w) >= 3 and not w.isdigit()
        )
        self._correct_by_letter: dict[str, list[str]] = {}
        for choice in self._correct_to:
            self._correct_by_letter.setdefault(choice[0], []).append(choice)
        self._corrections: dict[str, str | None] = {}

    @staticmethod
    def _fold(text: str) -> str:
        return text.lower().translate(_APOSTROPHES)

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stemmer.stemWord(word)
            if len(self._stems) < 50_000:
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
        if len(self._corrections) < 50_000:
            self._corrections[word] = fixed
        return fixed

    def read(self, question: str, find_actions: bool = True) -> Reading:
        """How a question reads. `find_actions=False` skips telling verbs from the things
        a question names, which only answering needs (it may load the English lexicon)."""
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
                        kind = word_class(read_as)
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
                if find_actions and _said_as_verb(said, number, self._possessive_names):
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
        if not self.knows(word) and word_class(word) is None:
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


@lru_cache(maxsize=50_000)  # words come from users: bounded like the other caches here
def lexicon_classes(word: str) -> frozenset[str]:
    """The word classes the English lexicon (lemminflect) knows a word in."""
    from lemminflect import getAllLemmas  # its tables load on first use

    return frozenset(getAllLemmas(word))


def word_class(word: str) -> str | None:
    """How the English lexicon knows a word: "noun", "adjective", "verb" or "adverb" (the
    first that applies, in that order), or None for a word it does not know.

    Nouns name topics ("Brexit", "immigration") and adjectives often do ("nuclear",
    "proportional"); a verb the material never uses ("negotiated") only colours one, and
    an adverb ("anyway") says nothing about it.
    """
    classes = lexicon_classes(word)
    if not classes:
        return None
    if classes & {"NOUN", "PROPN"}:
        return "noun"
    if "ADJ" in classes:
        return "adjective"
    return "verb" if classes & {"VERB", "AUX"} else "adverb"


_AUXILIARIES = words("will would can could should shall may might must do does did")
_DETERMINERS = words("a an the my our your his her their this that these those")
_PREPOSITIONS = words("without by after before for from on in instead of about")
_INTENDING = words("going want wants wanted plan plans planning try trying aim aims intend")
_PASSIVE = words("be been being is are was were get got gets")
# Someone other than the asker: what the asker may do ("can I vote ...?") is the topic.
_OTHERS = words("he she they it candidate")


_I_AM = (("im", "a"), ("im", "an"), ("am", "a"), ("am", "an"), ("as", "a"), ("as", "an"))


def _describes_the_asker(said: list[str]) -> set[int]:
    """Positions of the words after "I'm a" or "as a" ("I'm a rep", "as a new member")."""
    found: set[int] = set()
    for number in range(2, len(said)):
        if tuple(said[number - 2 : number]) in _I_AM:
            for at in range(number, min(number + 2, len(said))):
                if said[at] in STOPWORDS or said[at] in QUESTION_WORDS:
                    break
                found.add(at)
    return found


def _said_as_verb(said: list[str], number: int, possessives: frozenset[str]) -> bool:
    """Whether the word at `number` is a verb the way it is used: one the lexicon knows
    as a verb, right after an auxiliary and its subject ("will Mark call ...", "can
    unions beat ...", "does the bot hold ...") or in the passive ("be called"). Not the
    asker's own doing ("can I vote ...?"): that is what such a question is about. The
    lexicon is consulted only where the words around fit, so most questions never load it."""
    word = said[number]
    if "~" in word or word == POST:
        return False
    before = [w for w in said[:number] if w not in _DETERMINERS]
    if before and before[-1] in _PASSIVE:
        return lexicon_classes(word) & {"VERB", "NOUN", "ADJ"} == {"VERB"}  # "be called"
    fits = (
        (before and before[-1] in _PREPOSITIONS and word.endswith("ing"))  # "without asking"
        or (len(before) >= 2 and before[-1] == "to" and before[-2] in _INTENDING)  # "going to"
        or (len(before) >= 2 and before[-1] in _AUXILIARIES and before[-2] in _OTHERS)
        or (
            len(before) >= 2
            and before[-2] in _AUXILIARIES  # "will Mark call", "can unions beat"
            and before[-1] not in possessives
            and before[-1] not in STOPWORDS - _OTHERS
        )
    )
    return bool(fits) and "VERB" in lexicon_classes(word)


MIN_NAMED = 2  # known topic words a question needs before an unknown verb is let pass
_HOW_TO_SUBJECTS = words("i we you my our")
_FIRST_PERSON = words("i we")
_ASKING_MODALS = words("do can should could must")
DEFINING = words("mean means meaning meant definition define explain stands role purpose")


def _asks_own_part(said: Sequence[str]) -> bool:
    """ "What should I do?", "how can we help?", "where do I start?": the asker's own part."""
    return any(
        (first in _ASKING_MODALS and second in _FIRST_PERSON)
        or (first in _FIRST_PERSON and second in _ASKING_MODALS)
        for first, second in pairwise(said)
    )


def question_cues(
    said: list[str] | tuple[str, ...], raw: list[str] | tuple[str, ...] = ()
) -> frozenset[str]:
    """What kind of question the words ask, whatever its topic."""
    cues = set()
    padded = [*said, "", ""]
    for first, second, third in zip(padded, padded[1:], padded[2:], strict=False):
        if first == "how" and second in ("many", "much"):
            cues.add("how-many")
        elif (
            first in ("how", "what")
            and second in ("do", "can", "should", "to")
            and (third in _HOW_TO_SUBJECTS or second == "to")
        ):
            cues.add("how-to")
    if _asks_own_part(said):
        cues.add("mine")
    for word in ("why", "who", "where"):
        if word in said:
            cues.add(word)
    if "which" in said:
        cues.add("who")
    # "What is a BGM?", "what does NEC mean", "explain the BEC": asking for a definition.
    typed = list(raw or said)
    if set(typed) & DEFINING or (
        typed[:1] in (["what"], ["whats"])
        and len([w for w in typed if w not in STOPWORDS and w not in QUESTION_WORDS]) == 1
    ):
        cues.add("define")
    # "What is a branch general meeting?": "what is", a term of a few words, nothing else.
    term = typed[1:] if typed[:1] == ["whats"] else typed[2:] if typed[:2] == ["what", "is"] else []
    if term[:1] in (["a"], ["an"], ["the"]):
        term = term[1:]
    if 1 <= len(term) <= 3 and not set(term) & (STOPWORDS | QUESTION_WORDS | GENERIC):
        cues.add("define")
    return frozenset(cues)
