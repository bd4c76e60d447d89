"""Whether a passage answers what a question asks for, apart from whether it is on topic.

A question asking when, what year, how many, how much, how long, how old, who, or which
paper or union needs a sentence that holds a thing of that kind: a date, a year, a
figure, a duration, a name. `asked_type` reads the kind from the question's words;
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
- a phone number or an email address needs one, not another way to get in touch.
Members' short spellings of question words ("wot", "wen") are read as the words.
"""

from __future__ import annotations

import re

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
    words("people persons folk ones times them of there do does did are is were was have has had")
)
# Words between "how many" and the thing counted: "how many extra people".
COUNT_ADJECTIVES = frozenset(
    words(
        "more extra other new different actual paid real separate whole full total roughly "
        "recent past previous last current valid"
    )
)
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
NOT_NAMES = frozenset(MONTHS) | frozenset(DAYS) | words("background")
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
    FRACTIONS + r"|\b(?:proportion|share|fraction)\b"
    r"|\bhow many(?: \w+){1,3} (?:are|were|is|was) (?!there\b)\w+|\bhow many of\b"
)
_TOKEN = re.compile(r"[a-z0-9%£]+")
_DAY_OF_MONTH = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:" + "|".join(MONTHS) + r")\b", re.IGNORECASE
)
_TARGET = re.compile(
    r"\b(?:at least|target|guarantee\w*|aim\w*|will|would|should|wants?|threshold|needs?)\b",
    re.IGNORECASE,
)

_ASKS = (
    # (kind, pattern over the question, lower-cased, apostrophes dropped)
    (
        "initials",
        re.compile(
            r"\b(?:does|do|did)(?: \w+){1,2} stand for\b|\b(?:stands|short) for\b"
            r"|\bacronym\b|\binitials\b"
        ),
    ),
    (
        "phone",
        re.compile(
            r"\b(?:phone|telephone|mobile|landline|contact|tel|whatsapp)(?: \w+)? (?:number|no)\b"
            r"|\bnumber (?:\w+ ){0,3}(?:ring|call|phone|text)\b|\b(?:ring|phone) (?:up )?(?:the "
            r"campaign|the office|you|them|him)\b|\bwhats (?:the|your|their|his) number\b"
        ),
    ),
    (
        "email",
        re.compile(r"\bemail address\b|\bwhat(?:s| is) (?:the|your|their|his) (?:email|e mail)\b"),
    ),
    (
        "address",
        re.compile(
            r"\b(?:postal|post|office|street|home|hq|head office) address\b"
            r"|\baddress (?:to|for|i can|can i|do i) (?:\w+ )?(?:send|post|write)\b"
        ),
    ),
    (
        "price",
        re.compile(
            r"\bhow much (?:does|do|is|are|will|would|did)\b.*\b(?:cost|costs|charge|charged)\b"
            r"|\bwhat does (?:it|a|an|the)\b.*\bcost\b|\b(?:price|fee|hourly rate|per hour)\b"
        ),
    ),
    (
        "cause",
        re.compile(
            r"\bwhat (?:was|is|were|are) (?:the |that |this )?[a-z0-9 ]{0,30}\b(?:dispute|strike|"
            r"strikes|ballot|row|case|walkout|demo|demonstration|protest)s? (?:actually |really |"
            r"all )?about\b"
        ),
    ),
    (
        "happened",
        re.compile(
            r"^(?:so |and |but |ok )?(?:did|has|have|had|was|were|will|would)\b(?: \S+){1,10} "
            r"(?:actually |ever |really |eventually )?(?:win|won|happen|happened|held|hold|"
            r"succeed|succeeded|achieve|achieved|pay off|paid off|pass|passed|go through|"
            r"went through|become law|became law|get through|got through)\b"
            # "What did the strike win?", "what has the campaign achieved?"
            r"|\bwhat (?:did|has|have|had)\b(?: \w+){1,6} (?:win|won|achieve|achieved|gain|"
            r"gained|secure|secured|get out of)\b"
        ),
    ),
    (
        "said",
        re.compile(
            r"\bwhat(?: \w+){0,2} (?:did|does|has|have|do) (?:\w+ ){1,4}(?:say|said|tell|told|"
            r"think|thought|claim|claimed|argue|argued)\b"
        ),
    ),
    (
        "stance",
        re.compile(
            r"\bwhere (?:does|do|did|would|will) (?:\w+ ){1,3}stand\b"
            r"|\bwhat (?:will|would|does|did|is|has) (?:\w+ ){1,3}(?:do|doing|promise|promised|"
            r"promising|propose|proposed|proposing|plan|planning|offer|offering|pledge|pledged)\b"
            r"|\b\w+s (?:view|views|position|stance|line|policy|policies|plans|pledges|"
            r"promises) (?:on|about|for)\b"
        ),
    ),
    ("year", re.compile(r"\b(?:what|which|wat|wot)\s+(?:year|yr)s?\b|\bwhat year\b")),
    ("duration", re.compile(r"\bhow long\b|\bhow many (?:years|yrs|months|weeks|days)\b")),
    ("figure", re.compile(r"\bhow old\b|\bwhat age\b")),
    ("count", re.compile(r"\bhow many\b|\b(?:what|wot|wat) (?:\w+ ){0,3}turnout\b")),
    (
        "figure",
        re.compile(
            r"\bhow (?:much|big)\b|\bwhat(?:s| is| was| were| are)? (?:the )?(?:exact |actual |precise )?"
            r"(?:percentage|percent|"
            r"proportion|share|number|"
            r"figure|rate|amount)\b|\bwhats the (?:turnout|figure|number|rate|percentage)\b"
            r"|\bwhat (?:was|is) the turnout\b|\bhourly rate\b|\bper hour\b"
            r"|\bwhat(?: [a-z]+){0,3} %(?: |$)"
        ),
    ),
    (
        "date",
        re.compile(
            r"^(?:so |and |but |ok |okay )?(?:when|wen|whens)\b|\bwhat (?:date|day|time)\b"
            r"|\bwhich (?:date|day)\b|\bby when\b|\bwhen (?:is|was|will|did|does|do|are)\b"
        ),
    ),
    (
        "name",
        re.compile(
            r"\bwho (?:is|was|were|are|did|wrote|interviewed|took|runs|ran|else|published|"
            r"conducted|chairs|leads|led|stood|stands|sits|holds|represents)\b|\bwhos\b"
            r"|\bwhat(?:s| is| was) (?:his|"
            r"the) name\b|\bwhich (?:paper|newspaper|union|city|town|book|court|party|"
            r"company|firm|minister|department|branch|candidate|contractor|contractors|"
            r"employer|employers|government|governments|organisation|organisations|person|"
            r"people|leader|minister|mp|mps|constituency|seat|programme|channel)\b"
            r"|\bwhich (?:tv|radio) (?:programme|show|channel)\b"
            r"|\bwhat (?:paper|newspaper|union|city|town|book|constituency|party|programme)\b"
        ),
    ),
)
# Words asking for the figure as it is or was, not a target or a threshold.
CURRENT = re.compile(
    r"\b(?:now|currently|current|at the moment|today|these days|right now|so far|at present|"
    r"exact|exactly|actual|actually)\b"
)
_SQUASH = str.maketrans({"’": "", "'": "", "‘": ""})
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
    "wer": "were",
}


def _plain(question: str) -> list[str]:
    """A question's words, lower-cased, apostrophes dropped, short spellings written out."""
    said = re.findall(r"[a-z0-9%£]+", question.lower().translate(_SQUASH))
    return " ".join(_TXT.get(w, w) for w in said).split()


# "Who" asks for a name where it starts a question, not inside one ("is it sent by the
# person who chairs it?"), and not when it asks who may or must do something (a role).
_WHO_LEADS = frozenset(words("so and but ok okay then me know wondering asking"))
_ROLE = re.compile(
    r"\b(?:who (?:is|are)|whos) (?:allowed|supposed|meant|able|eligible|entitled|responsible|needed|"
    r"required|expected)\b"
)


# What a sentence must say to answer "who <did this>?": the deed, in any of its forms.
_DEEDS: dict[str, re.Pattern[str]] = {
    verb: re.compile(pattern, re.IGNORECASE)
    for verbs, pattern in (
        (("wrote", "write", "writes", "written"), r"\b(?:wr[io]te|writ|written|author|endors)"),
        (("interviewed", "interview", "interviews"), r"\binterview|\bquestions\b"),
        (("conducted", "conduct", "conducts"), r"\bconduct|\binterview"),
        (("took", "take", "takes"), r"\b(?:took|taken|photo|picture)"),
        (("published", "publish", "publishes"), r"\b(?:publish|appeared|paper|newspaper)"),
        (("beat", "beats", "defeated", "defeat"), r"\b(?:beat|defeat|against|won|elected)"),
        (("runs", "ran", "run", "running"), r"\b(?:run|ran|scrutineer|organis)"),
        (("chairs", "chaired", "chair"), r"\bchair"),
        (("founded", "found", "started", "set"), r"\b(?:found|start|set up|creat|launch)"),
        (("replaced", "replace", "succeeded", "preceded"), r"\b(?:replac|succeed|preced|before)"),
    )
    for verb in verbs
}


def deed_asked(question: str) -> re.Pattern[str] | None:
    """What "who wrote it?" or "who did Mark beat?" asks was done, as a pattern a sentence
    answering it matches; None for "who is ...?" and other questions."""
    said = re.findall(r"[a-z]+", question.lower().translate(_SQUASH))
    for n, word in enumerate(said):
        if word not in ("who", "whom"):
            continue
        after = (
            said[n + 1 : n + 5]
            if said[n + 1 : n + 2] in (["did"], ["does"], ["do"])
            else said[n + 1 : n + 2]
        )
        for verb in after:
            if verb in _DEEDS:
                return _DEEDS[verb]
        if {"before", "predecessor", "previously"} & set(said[n + 1 :]):
            # "Who held the post before him?" needs who came before, not a name.
            return _DEEDS["preceded"]
        return None
    return None


def asked_type(question: str) -> str | None:
    """The kind of thing a question asks for, or None when it asks for no particular kind."""
    tokens = _plain(question)
    said = " ".join(tokens)
    for kind, pattern in _ASKS:
        found = pattern.search(said)
        if found is None:
            continue
        if kind == "name" and found.group().startswith("who"):
            at = said[: found.start()].count(" ")
            if (at > 2 and tokens[at - 1] not in _WHO_LEADS) or _ROLE.search(said):
                continue
        return kind
    return None


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
# A sentence giving someone's words: a verb of saying near their name.
_SAYING = re.compile(
    r"(?:said|says|say|told|tells|argued|argues|claimed|claims|warned|warns|wrote|writes|"
    r"called|calls|described|describes|insisted|insists|thinks|thought|believes|believed|"
    r"according|answered|replied|added|boasted|promised|praised|credited|recalled|endorsed)",
    re.IGNORECASE,
)


def asks_time_of_day(question: str) -> bool:
    """ "What time does it open?", "what hour?": a clock time, not a day."""
    return bool(
        re.search(
            r"\bwhat time\b|\bwhat hour\b|\bwhich hour\b|\bwhat o ?clock\b",
            " ".join(_plain(question)),
        )
    )


def asks_exactly(question: str) -> bool:
    return bool(_EXACTLY.search(question.lower()))


def asks_about_now(question: str) -> bool:
    return bool(CURRENT.search(question.lower()))


def counted(question: str) -> tuple[str, ...]:
    """What a "how many ...?" question counts ("votes", "paid staff"), or () when it does
    not say ("how many people?", "how many of them?")."""
    said = _TOKEN.findall(question.lower().translate(_SQUASH))
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
    tokens = _TOKEN.findall(_DAY_OF_MONTH.sub(" ", _YEAR.sub(" ", sentence.lower())))
    for n, token in enumerate(tokens):
        if not _FIGURE.search(token) or token in _NOT_COUNTS or _DECADE.fullmatch(token):
            continue
        if whole and re.fullmatch(FRACTIONS, token):
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


def initials_asked(question: str) -> list[str]:
    """The initials a question asks about ("what do the letters BEC stand for?")."""
    capitals = re.findall(r"\b[A-Z]{2,6}\b", question)
    if capitals:
        return [c.lower() for c in capitals]
    said = _TOKEN.findall(question.lower())
    return [
        said[n - 1]
        for n, w in enumerate(said)
        if n and w in ("stand", "stands") and 2 <= len(said[n - 1]) <= 6
    ]


# "Which union was he general secretary of?": the sort of thing asked for, whose name
# must stand next to that word (only sorts a sentence names beside their names: a
# city's name is seldom given with the word "city").
_SORTS = re.compile(
    r"\b(?:which|what) (?:tv |radio )?(union|party|department|branch|constituency|seat|programme|"
    r"channel)s?\b"
    # "which union bodies ...?" asks for bodies, not a union
    r"(?= (?:is|was|are|were|did|does|do|has|have|had|will|would|can|could|he|she|they|it|"
    r"of|in|for|at)\b|$)"
)
_BESIDE = 1  # next to it, small words aside ("the branch in Aberdare")
_SMALL = frozenset(words("the of a an in at"))


# "Who is the minister?": the post asked about, whose holder's name stands next to
# a word of it ("PCS General Secretary Mark Serwotka").
_POST = re.compile(
    r"^(?:so |and |but |ok )?(?:who|whos) (?:is |was |were |are )?(?:the |their |its )"
    r"((?:[a-z]+ ){0,2}(?:minister|president|chair|chairperson|mayor|ceo|treasurer|boss))s?"
    r"\b(?! (?:who|that)\b)"
)


def _sort_asked(question: str) -> list[str]:
    """The words for the sort of thing or post a name question asks for, or []."""
    said = " ".join(_plain(question))
    found = _SORTS.search(said)
    if found:
        return [found.group(1)]
    post = _POST.search(said)
    return post.group(1).split() if post else []


_DAY_ASKED = re.compile(r"\b(?:what|which) day\b|\bday and month\b|\bexact date\b|\bwhat month\b")
# A figure given roughly ("nearly 70%", "fewer than half") does not answer a question
# asking for it exactly.
_ROUGHLY = re.compile(
    r"\b(?:nearly|almost|about|around|roughly|approximately|over|more than|fewer than|less than|"
    r"under|close to|at least|up to|tens of|hundreds of|thousands of|some|several|most)\b",
    re.IGNORECASE,
)
_EXACTLY = re.compile(r"\b(?:exact|exactly|precise|precisely|specific)\b")


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
    if kind == "year":
        return bool(_YEAR.search(sentence))
    if kind == "date":
        # "What date was the 2011 strike?": the year the question names is no answer.
        named = set(_YEAR.findall(question))
        if _DAY_ASKED.search(question.lower()):
            sentence = _YEAR.sub(" ", sentence)  # "what day was it?": a year is no answer
        elif named:
            sentence = _YEAR.sub(lambda m: " " if m.group() in named else m.group(), sentence)
        return bool(_DATE.search(sentence))
    if kind == "time":
        return bool(_CLOCK.search(sentence))
    if kind == "duration":
        return bool(_DURATION.search(sentence))
    if kind == "phone":
        return bool(_PHONE.search(sentence))
    if kind == "address":
        return bool(_POSTCODE.search(sentence))
    if kind == "email":
        return bool(_EMAIL.search(sentence))
    if kind == "price":
        return bool(_MONEY.search(sentence))
    if kind == "initials":
        initials = initials_asked(question)
        return bool(initials) and all(_spelt_out(i, sentence) for i in initials)
    if kind in ("figure", "count") and asks_exactly(question) and _ROUGHLY.search(sentence):
        return False  # "nearly 70%" does not answer "what exactly?"
    if kind == "count":
        # "How many staff does it employ?" asks for a number of them, not a share ("over
        # half of them"); "how many of the reps are women?" may be answered with one.
        whole = not _SHARE_ASKED.search(" ".join(_plain(question)))
        things = counted(question) if counted_as is None else counted_as
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
    if kind == "happened":
        # "Did the strikes win anything?" needs how it turned out, not that it was planned.
        return bool(_OUTCOME.search(sentence))
    if kind == "cause":
        # "What was the dispute about?" needs what it was over, not how the vote went.
        return bool(_CAUSE.search(sentence))
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
        sort = _sort_asked(question)
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
