"""The few rules the engine keeps, where a rule is the right tool, not a ranking.

- Personal details: the material never holds the candidate's private life, nor who else
  supports or helps near the asker, so such questions are declined whatever else they
  share with the material (`asks_for_personal_details`).
- Figures: a question asking for a figure ("how many ...?", "what percentage ...?") is
  answered only from a passage that gives one; otherwise it is declined, never guessed
  (`asks_for_figure`).
- Long messages: a long message may hold its question among other things; its asking
  sentences are tried alone when the whole is declined (`buried_questions`).
- Dates: questions about the election timetable are answered from the timetable's data
  (`timetable.answer_date`), so changing a date in the pack changes every such answer.

The words the rules look for are the campaign's, in the pack's `language.yaml`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.campaign.pack import Campaign
from bot.knowledge.language import Reading
from bot.knowledge.words import QUESTION_WORDS
from bot.text import words


@dataclass(frozen=True, slots=True)
class RuleWords:
    personal: frozenset[str]
    money: frozenset[str]
    members: frozenset[str]
    other_people: frozenset[str]
    nearby: frozenset[str]
    asking_who: frozenset[str]
    small_talk: frozenset[str]
    figure_words: frozenset[str]
    # Words that make a personal word public: "email address", "how old when he started".
    public_details: frozenset[str]
    # Words that make "personal" a document's: "in his personal message ...".
    documents: frozenset[str]

    @classmethod
    def of(cls, campaign: Campaign) -> RuleWords:
        lists = campaign.language.word_lists
        return cls(*(frozenset(w.lower() for w in lists.get(name, ())) for name in cls.__slots__))


def asks_for_personal_details(reading: Reading, rule: RuleWords) -> bool:
    """About the candidate's private life, or about who else supports or volunteers."""
    said = set(reading.words) | set(reading.raw)
    personal = said & rule.personal
    if said & rule.public_details:
        # The campaign's email address, or how old he was when he started work: public.
        personal -= {"address", "age", "old"}
    if said & rule.documents:
        personal -= {"personal"}  # "in his personal message ...": the leaflet's, not his life
    raw = list(reading.raw)
    if "old" in personal and not any(
        word == "old" and raw[n - 1 : n] == ["how"] for n, word in enumerate(raw)
    ):
        personal.discard("old")  # "the same old faces": only "how old" asks an age
    if reading.mentions_candidate and personal:
        return True
    if reading.mentions_candidate and said & rule.money and not said & rule.members:
        return True  # "how much is Mark paid?", not "will Mark win us more money?"
    nearby = bool(said & rule.nearby) or reading.names_a_branch
    return bool(said & rule.other_people and said & rule.asking_who and nearby)


def asks_for_figure(reading: Reading, rule: RuleWords) -> bool:
    """ "How many ...?", "what percentage ...?", "what was the turnout?": wants a figure."""
    raw = list(reading.raw)
    if "how-many" in reading.cues:
        return True
    return any(
        word in rule.figure_words and ("what" in raw[:i] or "whats" in raw[:i])
        for i, word in enumerate(raw)
    )


def is_small_talk(reading: Reading, rule: RuleWords) -> bool:
    """ "Hi", "thanks": nothing to answer, but no question to pass to the organisers."""
    return bool(set(reading.raw) & rule.small_talk) and len(reading.raw) <= 3


# A message this long may hold its question among other things.
BURIED_AFTER = 18

# Words a sentence that asks something may open with (after "so", "and", "but" ...).
_OPENERS = words("so and but anyway ok")
_ASKS_WITH = QUESTION_WORDS | words("is are does do did can will has")


def _asks(sentence: str) -> bool:
    said = re.findall(r"[a-z]+", sentence.lower().replace("'", "").replace("’", ""))
    if said and said[0] in _OPENERS:
        said = said[1:]
    return sentence.endswith("?") or (bool(said) and said[0] in _ASKS_WITH)


def buried_questions(message: str) -> list[str]:
    """The sentences of a long message that ask something, the last first (where a
    question put after some preamble usually is), or [] for a short message."""
    if len(message.split()) < BURIED_AFTER:
        return []
    parts = [p.strip() for p in re.split(r"(?<=[.?!])\s+|\n+", message) if p.strip()]
    asking = [p for p in parts if len(p.split()) >= 3 and _asks(p)]
    return asking[::-1] if len(parts) > 1 else []
