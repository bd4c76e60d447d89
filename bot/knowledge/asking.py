"""What a question asks for: the kind of thing (a date, a count, a name, a phone number...)
read from its words, and the details a check of the answer needs (what a count counts,
whose words are asked for, which sort of thing a name must be). `answertype` says whether
a sentence holds it. Members' short spellings of question words ("wot", "wen") are read
as the words.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.knowledge.kinds import ASKS
from bot.text import words

MONTHS = sorted(
    words(
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec"
    )
)

DAYS = sorted(words("monday tuesday wednesday thursday friday saturday sunday"))

NUMBER_WORDS = sorted(
    words(
        "one two three four five six seven eight nine ten eleven twelve fifteen twenty thirty "
        "forty fifty sixty hundred thousand million half quarter third dozen"
    )
)

FRACTIONS = r"(?:%|\bper\s*cent\b|\bpercent\b|\bhalf\b|\bquarter\b|\bthird\b|\bmajority\b)"

# Words after "how many" that say how much is counted, not what: "how many people".
ANY_THING = frozenset(
    words(
        "people persons folk ones times them of there do does did are is were was have has had "
        "and but or"
    )
)

# Words between "how many" and the thing counted: "how many extra people".
COUNT_ADJECTIVES = frozenset(
    words(
        "more extra other new different actual paid real separate whole full total roughly "
        "recent past previous last current valid actually really exactly"
    )
)

NOT_NAMES = frozenset(MONTHS) | frozenset(DAYS) | words("background")

TOKEN = re.compile(r"[a-z0-9%£]+")

# Words asking for the figure as it is or was, not a target or a threshold.
CURRENT = re.compile(
    r"\b(?:now|currently|current|at the moment|today|these days|right now|so far|at present|"
    r"exact|exactly|actual|actually)\b"
)

SQUASH = str.maketrans({"’": "", "'": "", "‘": ""})

# Members' short spellings of the question words ("wot was the turnout?").
_TXT = {
    "wot": "what",
    "wat": "what",
    "wht": "what",
    "wots": "whats",
    "wats": "whats",
    "wen": "when",
    "hw": "how",
    "hows": "how is",
    "r": "are",
    "u": "you",
    "ppl": "people",
    "govt": "government",
    "gov": "government",
    "wer": "were",
}


@lru_cache(maxsize=64)
def plain_words(question: str) -> tuple[str, ...]:
    """A question's words, lower-cased, apostrophes dropped, short spellings written out
    (kept for the last questions: the checks read them for every sentence they weigh)."""
    said = re.findall(r"[a-z0-9%£]+", question.lower().translate(SQUASH))
    return tuple(" ".join(_TXT.get(w, w) for w in said).split())


# Words for the candidate where a question does not name him.
_HIM = frozenset(words("he his him hes"))

# "Who" asks for a name where it starts a question, not inside one ("is it sent by the
# person who chairs it?"), and not when it asks who may or must do something (a role).
_WHO_LEADS = frozenset(words("so and but ok okay then me know wondering asking"))

_ROLE = re.compile(
    r"\b(?:who (?:is|are)|whos) (?:allowed|supposed|meant|able|eligible|entitled|responsible|needed|"
    r"required|expected|covered|affected|included|hit)\b"
)


_WILLING = re.compile(
    r"\bhow much\b.*\b(?:accept|willing|tolerate|swallow|agree to|put up with|stomach|settle for)\b"
)


def asked_type(question: str, candidate: frozenset[str] = frozenset()) -> str | None:
    """The kind of thing a question asks for, or None when it asks for no particular kind.
    `candidate`: the words of the candidate's names; what he says or where he stands is no
    particular kind (any passage of his answers), only someone else's is."""
    tokens = plain_words(question)
    said = " ".join(tokens)
    for kind, pattern in ASKS:
        found = pattern.search(said)
        if found is None:
            continue
        if kind == "name" and found.group().startswith("who"):
            at = said[: found.start()].count(" ")
            if (at > 2 and tokens[at - 1] not in _WHO_LEADS) or _ROLE.search(said):
                continue
        if kind in ("said", "stance") and not speakers(question, candidate):
            return None
        if kind == "figure" and _WILLING.search(said):
            return None  # "how much of a cut would he accept?" asks where he stands
        if kind == "post" and set(tokens) & (candidate | _HIM) and not _others(question, candidate):
            return None  # the candidate's own jobs: any passage on him answers
        return kind
    return None


def _others(question: str, candidate: frozenset[str]) -> list[str]:
    """The people a question names other than the candidate ("which job did Francis Maude
    have when Mark took him on?")."""
    return [
        w.lower()
        # Not a word that only starts a sentence ("So what job ...?").
        for w in re.findall(r"(?<![.?!]\s)(?<!^)\b[A-Z][a-z][A-Za-z]*", question.strip())
        if w.lower() not in NOT_NAMES | _NOT_SPEAKERS | candidate
    ]


def speakers(question: str, not_names: frozenset[str] = frozenset()) -> list[str]:
    """Whose words or stand a question asks for ("what did Dave Ward say about ...?",
    "where does Lloyd stand on ...?"): the names written with capitals where the person
    stands in the question, lower-cased (not `not_names`: the candidate's)."""
    found = _SAID_ASKED.search(question) or _STANCE_ASKED.search(question)
    if found is None:
        return []
    return [
        w.lower()
        for w in re.findall(r"\b[A-Z][a-z][A-Za-z]*", next(g for g in found.groups() if g))
        if w.lower() not in NOT_NAMES | _NOT_SPEAKERS | not_names
    ]


_STANCE_ASKED = re.compile(
    r"\bwhere (?:does|do|did|would|will) ((?:[\w']+ ){1,3})stand\b"
    r"|\bwhat (?:will|would|does|did|is|has) ((?:[\w']+ ){1,3})(?:do|doing|promise|promised|"
    r"promising|propose|proposed|proposing|plan|planning|offer|offering|pledge|pledged)\b"
    r"|\b(\w+)(?:'s|’s|s) (?:view|views|position|stance|line|policy|policies|plans|pledges|"
    r"promises) (?:on|about|for)\b",
    re.IGNORECASE,
)

_SAID_ASKED = re.compile(
    r"\bwhat(?: \w+){0,2} (?:did|does|has|have|do) ((?:[\w']+ ){1,4})(?:say|said|tell|told|"
    r"think|thought|claim|claimed|argue|argued)\b",
    re.IGNORECASE,
)

_NOT_SPEAKERS = frozenset(
    words("i pcs gs nec adc bec tories tory labour party leaflet manifesto letter")
)


def asks_time_of_day(question: str) -> bool:
    """ "What time does it open?", "what hour?": a clock time, not a day."""
    return bool(
        re.search(
            r"\bwhat time\b|\bwhat hour\b|\bwhich hour\b|\bwhat o ?clock\b",
            " ".join(plain_words(question)),
        )
    )


def asks_exactly(question: str) -> bool:
    return bool(EXACTLY.search(question.lower()))


def asks_about_now(question: str) -> bool:
    return bool(CURRENT.search(question.lower()))


def counted(question: str) -> tuple[str, ...]:
    """What a "how many ...?" question counts ("votes", "paid staff"), or () when it does
    not say ("how many people?", "how many of them?")."""
    said = list(plain_words(question))
    for start in range(len(said) - 1):
        if said[start] == "what" and "turnout" in said[start + 1 : start + 3]:
            return ("turnout",)
        if said[start : start + 2] == ["how", "many"]:
            after = [w for w in said[start + 2 : start + 6] if w not in COUNT_ADJECTIVES]
            if not after or after[0] in ANY_THING:
                return ()
            # "how many branch nominations": either word may be the one beside the figure.
            return tuple(w for w in after[:2] if w not in ANY_THING)
    return ()


def initials_asked(question: str) -> list[str]:
    """The initials a question asks about ("what do the letters BEC stand for?")."""
    capitals = re.findall(r"\b[A-Z]{2,6}\b", question)
    if capitals:
        return [c.lower() for c in capitals]
    said = TOKEN.findall(question.lower())
    return [
        said[n - 1]
        for n, w in enumerate(said)
        if n and w in ("stand", "stands") and 2 <= len(said[n - 1]) <= 6
    ]


# "Which union was he general secretary of?": the sort of thing asked for, whose name
# must stand next to that word (only sorts a sentence names beside their names: a
# city's name is seldom given with the word "city").
_SORTS = re.compile(
    r"\b(?:which|what) (?:tv |radio |labour |tory )?(union|party|department|branch|constituency|"
    r"seat|programme|channel|mp)(?:es|s)?\b"
    # "which union bodies ...?" asks for bodies, not a union
    r"(?= (?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|he|she|they|it|"
    r"of|in|for|at|[a-z]{3,}ed)\b|$)"
)

# "Who is the minister?": the post asked about, whose holder's name stands next to
# a word of it ("PCS General Secretary Mark Serwotka").
_POST = re.compile(
    r"^(?:so |and |but |ok )?(?:who|whos) (?:is |was |were |are )?(?:the |their |its )"
    r"((?:[a-z]+ ){0,2}(?:minister|president|chair|chairperson|mayor|ceo|treasurer|boss))s?"
    r"\b(?! (?:who|that)\b)"
)


# "What's his MP's constituency?": the constituency, named beside the word.
_WHOSE_SORT = re.compile(r"\b\w+s (constituency|seat)\b")


def sorts_asked(question: str) -> list[str]:
    """The words for the sort of thing or post a name question asks for, or []."""
    said = " ".join(plain_words(question))
    found = _SORTS.search(said) or _WHOSE_SORT.search(said)
    if found:
        return [found.group(1)]
    post = _POST.search(said)
    return post.group(1).split() if post else []


DAY_ASKED = re.compile(r"\b(?:what|which) day\b|\bday and month\b|\bexact date\b|\bwhat month\b")

EXACTLY = re.compile(r"\b(?:exact|exactly|precise|precisely|specific)\b")


# Asking for a passage as a whole ("in a nutshell?"), not one of its lines.
SUMMARY = re.compile(
    r"\b(?:in a nutshell|in (?:one|a) (?:line|sentence|phrase)|in a few words|sum (?:it |that )?up|"
    r"summary|summari[sz]e|tl ?;? ?dr|the gist|main points|big picture|overall)\b",
    re.IGNORECASE,
)


# "How many branches nominated him the last time he stood?": an election before this one.
_EARLIER = re.compile(
    r"\blast time \w+ (?:stood|ran|was elected|won|was up)\b"
    r"|\blast time round\b|\bprevious (?:election|contest|time)\b|\bbefore this (?:one|election|time)\b"
    r"|\b(?:election|contest|one|time) before (?:this|that|last)\b|\bthe time before\b"
    r"|\blast (?:\w+ ){0,2}(?:election|contest)\b"
)


def asks_about_earlier(question: str) -> bool:
    """Whether a question asks about an election before the one under way."""
    return bool(_EARLIER.search(" ".join(plain_words(question))))


def years_named(question: str, year: int) -> set[str]:
    """The years a question asking for a date or a figure names in words ("when is the
    conference next year?" asked in 2019 names 2020); not those of an aside ("I was moved
    last year, what's his plan?")."""
    if asked_type(question) not in ("date", "year", "figure", "count"):
        return set()
    said = " ".join(plain_words(question))
    named = {"next year": year + 1, "last year": year - 1, "this year": year}
    return {str(value) for words_, value in named.items() if words_ in said}
