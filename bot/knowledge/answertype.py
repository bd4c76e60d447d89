"""Whether a passage answers what a question asks for, apart from whether it is on topic.

A question asking when, what year, how many, how much, how long, how old, who, or which
paper or union needs a sentence that holds a thing of that kind: a date, a year, a
figure, a duration, a name. `asking.asked_type` reads the kind from the question's words;
`holds` says whether a sentence has one. A sentence that holds a figure only as a pledge
or a target ("at least 50%") does not answer a question about how things are now.

Some kinds need more than any thing of their kind:
- a count ("how many votes ...?") needs a figure with the thing counted beside it: "62
  branches" does not say how many votes;
- a price ("how much does it cost?") needs an amount of money;
- what initials stand for needs the words they are the initials of;
- what a dispute, a strike or a ballot was about needs what it was over or against;
- whether something won, was held or worked needs a sentence that says how it turned out;
- a name ("which department ...?") is not one the question already gives, nor a month,
  a day or, in a question about the candidate, his own;
- "who wrote / took / beat ...?" needs a sentence that says the thing done ("written",
  "taken by", "defeated"), not only a name beside the thing named: a passage about a
  novel does not say who wrote it; "who was it before him?" needs who came before;
- "which union / party / branch ...?" needs a name next to that word, not any name;
- "how many staff does it employ?" needs a number of them, not a share ("over half"),
  unless the question asks for a share or how many of a group are something;
- a phone number or an email address needs one, not another way to get in touch; a
  social network asked about by name needs that name.
"""

from __future__ import annotations

import re

from bot.knowledge.asking import (
    DAY_ASKED,
    DAYS,
    FRACTIONS,
    MONTHS,
    NOT_NAMES,
    NUMBER_WORDS,
    TOKEN,
    asks_exactly,
    counted,
    initials_asked,
    plain_words,
    sorts_asked,
    speakers,
)
from bot.knowledge.deeds import deed_asked
from bot.knowledge.kinds import NETWORKS
from bot.text import words

UNITS_OF_TIME = r"(?:year|yr|month|week|day|hour|decade|minute)s?"

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")

_FIGURE = re.compile(r"\d|\b(?:" + "|".join(NUMBER_WORDS) + r")s?\b", re.IGNORECASE)

_DATE = re.compile(
    r"\b(?:19|20)\d\d\b|\b(?:"
    + "|".join(MONTHS + DAYS)
    + r")\b|\b\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)\b"
    r"|\bnoon\b|\bmidday\b|\bmidnight\b|\bat (?:the age of )?\d{1,2}\b|\bfirst day\b"
    r"|\b(?:last|this|next) (?:year|month|week|autumn|spring|summer|winter)\b|\bago\b"
    r"|\byesterday\b|\bthe (?:year|month|week|day) before\b|\bthe previous (?:year|month|week)\b",
    re.IGNORECASE,
)

_DURATION = re.compile(
    r"(?:\d+|\b(?:"
    + "|".join(NUMBER_WORDS)
    + r"|many|several|few))\s+(?:more\s+)?"
    + UNITS_OF_TIME
    + r"\b"
    r"|\bsince\b"
    # "How long do you keep it?": until an event ("deleted after the ballot closes").
    r"|\buntil\b|\btill\b|\bafter\b[^.;]{0,40}\b(?:closes|closed|ends|ended|is over)\b"
    r"|\b(?:deleted|kept|held|erased|removed) (?:after|until|by)\b",
    re.IGNORECASE,
)

_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+|\b[A-Z]{2,}\b")

_MONEY = re.compile(
    r"£\s*\d|\d\s*(?:p|pence|pounds?|quid)\b|\bfree of charge\b|\bcosts? nothing\b|\bis free\b",
    re.IGNORECASE,
)

_PHONE = re.compile(r"\+?\(?\d[\d ()-]{8,}\d")

_CLOCK = re.compile(
    r"\b\d{1,2}(?:[:.]\d\d)?\s*(?:am|pm)\b|\b\d{1,2}:\d\d\b|\bnoon\b|\bmidday\b|\bmidnight\b",
    re.IGNORECASE,
)

_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b")

_EMAIL = re.compile(r"\S+@\S+\.\w+")

_SHARE_ASKED = re.compile(
    FRACTIONS + r"|\b(?:proportion|share|fraction|turnout)\b"
    r"|\bhow many(?: \w+){1,5} (?:are|were|is|was) (?!there\b)\w+|\bhow many of\b"
)

_DAY_OF_MONTH = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + "|".join(MONTHS) + r")\b", re.IGNORECASE
)

_TARGET = re.compile(
    r"\b(?:at least|target|guarantee\w*|aim\w*|will|would|should|wants?|threshold|needs?)\b",
    re.IGNORECASE,
)

# "This could involve millions": a figure that might be, which does not say how many were.
_MIGHT_BE = re.compile(r"\b(?:could|might|may|would)(?: \w+){0,3}", re.IGNORECASE)
_ASKS_MIGHT = re.compile(r"\b(?:could|might|may|would)\b")

# Words for a post someone holds.
_POSTS = frozenset(
    words(
        "minister secretary chancellor editor journalist reporter writer columnist leader "
        "chair president officer mp organiser lecturer director chief head boss premier "
        "spokesperson general"
    )
)

_WHO_HOLDS = re.compile(r"\bwho(?:s| is| was| are| were) (?:the|their|its) ((?:\w+ ){0,2}\w+)")


def _post_asked(question: str) -> frozenset[str]:
    """The post a question asks who holds ("who's the chief exec of ...?"), or nothing."""
    found = _WHO_HOLDS.search(" ".join(plain_words(question)))
    # "Who's the other union leader ...?" asks for a person of that kind, not a post's holder.
    if found is None or "other" in found.group(1).split():
        return frozenset()
    return frozenset(found.group(1).split()) & (_POSTS | {"exec", "executive", "ceo"})


# A sentence giving someone's words: a verb of saying near their name.
_SAYING = re.compile(
    r"(?:said|says|say|told|tells|argued|argues|claimed|claims|warned|warns|wrote|writes|"
    r"called|calls|described|describes|insisted|insists|thinks|thought|believes|believed|"
    r"according|answered|replied|added|boasted|promised|praised|credited|recalled|endorsed)",
    re.IGNORECASE,
)


def _same_word(word: str, other: str) -> bool:
    """The same word, give or take an ending ("branch", "branches")."""
    root = word[: max(4, len(word) - 2)]
    return other.startswith(root) or word.startswith(other[: max(4, len(other) - 2)])


_OUTCOME = re.compile(
    r"\b(?:won|win|wins|winning|victor\w*|lost|lose|loss|defeat\w*|held|happened|took place|"
    r"succeed\w*|success\w*|fail\w*|missed|fell short|short of|close to|beat|beaten|"
    r"smashed|achiev\w*|secured|gained|delivered|passed|enacted|became law|into law|adopted|"
    r"approved|voted (?:for|through|down)|overturned|scrapped|dropped|withdrawn|confirmed|"
    r"agreed)\b",
    re.IGNORECASE,
)

_CAUSE = re.compile(r"\b(?:over|about|against|because|in protest|to protest|in defence of)\b")

# Words for working people that a count of one may be given in ("how many workers?":
# "tens of thousands of civil servants").
PEOPLE = frozenset(words("workers staff members servants employees colleagues people"))


def _counts(sentence: str, things: tuple[str, ...], whole: bool) -> bool:
    """Whether a figure in `sentence` has the thing counted within five words of it."""
    if PEOPLE & set(things):
        things = (*things, *PEOPLE)
    tokens = TOKEN.findall(_DAY_OF_MONTH.sub(" ", _YEAR.sub(" ", sentence.lower())))
    for n, token in enumerate(tokens):
        if not _FIGURE.search(token) or token in _NOT_COUNTS or _DECADE.fullmatch(token):
            continue
        # A share ("70% of delegates") is not how many there are.
        share = token.endswith("%") or tokens[n + 1 : n + 2] in (["percent"], ["per"])
        if whole and (share or re.fullmatch(FRACTIONS, token)):
            continue
        near = tokens[max(0, n - 5) : n + 6]
        if not things or any(_same_word(t, w) for t in things for w in near):
            return True
    return False


def _spelt_out(initials: str, sentence: str) -> bool:
    """Whether `sentence` has words whose first letters are `initials` ("Public and
    Commercial Services" for PCS; small joining words may be skipped)."""
    found = [w for w in re.findall(r"[A-Za-z]+", sentence) if w.lower() not in _JOINING]
    size = len(initials)
    return any(
        "".join(w[0] for w in found[n : n + size]).lower() == initials
        for n in range(len(found) - size + 1)
    )


_JOINING = frozenset(words("and of the for in on"))

# "One nomination for each post" is not a count a question asks for.
_NOT_COUNTS = frozenset(words("one"))

_DECADE = re.compile(r"\d+0s")  # "in the high 40s" is an age, not a count

_BESIDE = 1  # next to it, small words aside ("the branch in Aberdare")

_SMALL = frozenset(words("the of a an in at"))

# A figure given roughly ("nearly 70%", "fewer than half") does not answer a question
# asking for it exactly.
_ROUGHLY = re.compile(
    r"\b(?:nearly|almost|about|around|roughly|approximately|over|more than|fewer than|less than|"
    r"under|close to|at least|up to|tens of|hundreds of|thousands of|some|several|most)\b",
    re.IGNORECASE,
)


# Kinds any sentence holding a match answers. "Did the strikes win anything?" needs how it
# turned out, not that it was planned; "what was the dispute about?" what it was over, not
# how the vote went; a phone number, an address or a price needs one.
_HELD_BY: dict[str, re.Pattern[str]] = {
    "year": _YEAR,
    "time": _CLOCK,
    "duration": _DURATION,
    "phone": _PHONE,
    "address": _POSTCODE,
    "email": _EMAIL,
    "price": _MONEY,
    "happened": _OUTCOME,
    "cause": _CAUSE,
    # "What rule did it break?" needs the rule: "broke the rule that ...", "lied about ...".
    "detail": re.compile(
        r"\b(?:rules?|lies?|lied) (?:that|about|requiring|saying|such as|including)\b"
        r"|\b(?:rules?|lies?):",
        re.IGNORECASE,
    ),
    "replacement": re.compile(r"\breplac|\bduplicate|\b(?:new|another|second) ballot paper", re.I),
}


def holds(
    kind: str,
    sentence: str,
    question: str = "",
    now: bool = False,
    not_names: frozenset[str] = frozenset(),
    counted_as: tuple[str, ...] | None = None,
) -> bool:
    """Whether `sentence` holds a thing of `kind` (that the question does not already say).
    `not_names`: names that do not answer "who ...?" (the candidate's, when asked about
    him); `counted_as`: the words for what a count asks about, short forms spelt out
    (`counted(question)` when not given)."""
    if kind == "post":
        # Their post beside their name ("Francis Maude, the Cabinet Office minister"),
        # not a sentence that only names them.
        asked = set(plain_words(question)) - not_names
        told = re.findall(r"[A-Za-z]+", sentence)
        people = [
            n
            for n, w in enumerate(told)
            if w[0].isupper() and (w.lower() in asked or f"{w.lower()}s" in asked)
        ]
        posts = [n for n, w in enumerate(told) if w.lower() in _POSTS]
        return any(0 < abs(a - b) <= 4 for a in people for b in posts)
    if kind == "network":
        sites = set(plain_words(question)) & set(NETWORKS)
        return any(w.lower() in sites for w in re.findall(r"[A-Za-z]+", sentence))
    found = _HELD_BY.get(kind)
    if found is not None:
        return bool(found.search(sentence))
    if kind == "date":
        # "What date was the 2011 strike?": the year the question names is no answer.
        named = set(_YEAR.findall(question))
        if DAY_ASKED.search(question.lower()):
            sentence = _YEAR.sub(" ", sentence)  # "what day was it?": a year is no answer
        elif named:
            sentence = _YEAR.sub(lambda m: " " if m.group() in named else m.group(), sentence)
        return bool(_DATE.search(sentence))
    if kind == "initials":
        initials = initials_asked(question)
        return bool(initials) and all(_spelt_out(i, sentence) for i in initials)
    if kind in ("figure", "count") and asks_exactly(question) and _ROUGHLY.search(sentence):
        return False  # "nearly 70%" does not answer "what exactly?"
    if kind == "count":
        # "How many staff does it employ?" asks for a number of them, not a share ("over
        # half of them"); "how many of the reps are women?" may be answered with one.
        plain = " ".join(plain_words(question))
        # "How many?" counting nothing named may be answered with a share of something.
        whole = not _SHARE_ASKED.search(plain) and bool(counted(question))
        things = counted(question) if counted_as is None else counted_as
        if not _ASKS_MIGHT.search(plain):
            sentence = _MIGHT_BE.sub(" ", sentence)
        return _counts(sentence, things, whole) and not (now and _TARGET.search(sentence))
    if kind == "figure":
        # A year or a day of the month is not a count, an amount or a share.
        counted_text = _DAY_OF_MONTH.sub(" ", _YEAR.sub(" ", sentence))
        if not _FIGURE.search(counted_text):
            return False
        return not (now and _TARGET.search(sentence))
    if kind == "said":
        # "What did Dave Ward say?" needs his words, not a sentence naming him.
        speaking = speakers(question, not_names)
        told = re.findall(r"[A-Za-z]+", sentence)
        # The sentence may go on about them as "he" or "she" ("he calls Mark ...").
        subjects = [n for n, w in enumerate(told) if w.lower() in speaking or w in ("He", "She")]
        verbs = [n for n, w in enumerate(told) if _SAYING.fullmatch(w)]
        # Their name (or "he") before the verb: "Cameron said", "McDonnell MP has endorsed".
        return not speaking or any(0 < v - a <= 4 for a in subjects for v in verbs)
    if kind == "stance":
        # "Where does Lloyd stand on pay?" needs a sentence about Lloyd, not Mark's pledge.
        whose = speakers(question, not_names)
        return not whose or any(w.lower() in whose for w in re.findall(r"[A-Za-z]+", sentence))
    if kind == "name":
        deed = deed_asked(question)
        if deed is not None and not deed.search(sentence):
            return False
        asked = {w.lower() for w in re.findall(r"[A-Za-z]+", question)}
        names = [
            m
            for m in _NAME.finditer(sentence)
            if m.group().lower() not in asked | not_names | NOT_NAMES
        ]
        held = _post_asked(question)
        if held:
            # "Who is the chief exec of ...?": a name beside that post, not any name.
            told = re.findall(r"[A-Za-z]+", sentence)
            posts = [n for n, w in enumerate(told) if w.lower() in held]
            people = [
                n
                for n, w in enumerate(told)
                if w[0].isupper() and w.lower() not in asked | not_names | NOT_NAMES | _POSTS
            ]
            if not any(0 < abs(a - b) <= 4 for a in people for b in posts):
                return False
        sort = sorts_asked(question)
        if not sort:
            return bool(names)
        # "Which union ...?" needs a name beside the word "union", not any name.
        # Punctuation keeps its place: "62 branches, Lloyd by 39" names no branch.
        spans = [
            m.span()
            for m in re.finditer(r"[A-Za-z]+|[,;:()]", sentence)
            if m.group().lower() not in _SMALL
        ]
        said = [sentence[a:b].lower() for a, b in spans]
        at = {a: n for n, (a, _) in enumerate(spans)}
        places = [n for n, w in enumerate(said) if any(_same_word(x, w) for x in sort)]
        return any(
            abs(at[m.start()] - n) <= _BESIDE for m in names if m.start() in at for n in places
        )
    return True


def sentences(text: str) -> list[str]:
    """A passage's sentences (a line of its own counts as one)."""
    parts = re.split(r"(?<=[.!?;])\s+(?=[A-Z0-9\"'(])|\n+", text.strip())
    return [p.strip() for p in parts if p.strip()]
