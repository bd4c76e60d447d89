"""What kind of question a sentence asks, and which of its words are used as verbs.

`question_cues` says what a question asks for whatever its topic ("how many", "how do
I", "why", a definition). `word_class` asks the English lexicon (lemminflect, loaded on
first use) how it knows a word; `_said_as_verb` tells a verb from a topic by the words
around it. Only the lexical ranker uses the lexicon.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from bot.knowledge.lexicon import word_classes
from bot.knowledge.words import GENERIC, POST, QUESTION_WORDS, STOPWORDS
from bot.text import words


def word_class(word: str) -> str | None:
    """How the English lexicon knows a word: "noun", "adjective", "verb" or "adverb" (the
    first that applies, in that order), or None for a word it does not know.

    Nouns name topics ("Brexit", "immigration") and adjectives often do ("nuclear",
    "proportional"); a verb the material never uses ("negotiated") only colours one, and
    an adverb ("anyway") says nothing about it.
    """
    classes = word_classes(word)
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
        return word_classes(word) & {"VERB", "NOUN", "ADJ"} == {"VERB"}  # "be called"
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
    return bool(fits) and "VERB" in word_classes(word)


_HOW_TO_SUBJECTS = words("i we you my our")
_FIRST_PERSON = words("i we")
_ASKING_MODALS = words("do can should could must")
DEFINING = words("mean means meaning meant definition define explain stands role purpose")


def _asks_own_part(said: Sequence[str]) -> bool:
    """ "What should I do?", "how can we help?", "where should a newcomer begin?": the asker's own part."""
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
    # "What's a BGM?", "NEC means what", "explain the BEC": asking for a definition.
    typed = list(raw or said)
    if set(typed) & DEFINING or (
        typed[:1] in (["what"], ["whats"])
        and len([w for w in typed if w not in STOPWORDS and w not in QUESTION_WORDS]) == 1
    ):
        cues.add("define")
    # "What is a branch executive committee?": "what is", a term of a few words, nothing else.
    term = typed[1:] if typed[:1] == ["whats"] else typed[2:] if typed[:2] == ["what", "is"] else []
    if term[:1] in (["a"], ["an"], ["the"]):
        term = term[1:]
    if 1 <= len(term) <= 3 and not set(term) & (STOPWORDS | QUESTION_WORDS | GENERIC):
        cues.add("define")
    return frozenset(cues)
