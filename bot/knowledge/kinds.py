"""The kinds of thing a question may ask for (a date, a count, a name, a phone number...),
each with the pattern over the question's words that asks for it, tried in order: the
first that matches says the kind. `asking.asked_type` reads them."""

from __future__ import annotations

import re

from bot.text import words

# Social networks a campaign may or may not be on: asked about by name, only that name answers.
NETWORKS = words("facebook instagram tiktok youtube linkedin snapchat telegram mastodon bluesky")


ASKS = (
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
        re.compile(
            r"\bemail address\b|\bwhat(?:s| is)(?: \w+){1,3} (?:email|e mail)\b"
            r"(?! (?:newsletter|list|called|named))"
        ),
    ),
    # "How do I get a replacement ballot paper?": a replacement, which the answer must name.
    (
        "replacement",
        re.compile(
            r"\breplacement\b|\b(?:new|another|second|duplicate) ballot paper\b"
            r"|\breplace (?:my|the|a|our|their) (?:ballot )?(?:paper|form)\b"
        ),
    ),
    # "Is there a Facebook page?": a social network the answer must name.
    ("network", re.compile(r"\b(?:" + "|".join(NETWORKS) + r")\b")),
    (
        "address",
        re.compile(
            r"\b(?:postal|post|office|street|home|hq|head office) address\b"
            r"|\b(?:what|which) (?:street|road)\b"
            r"|\baddress (?:to|for|i can|can i|do i) (?:\w+ )?(?:send|post|write)\b"
        ),
    ),
    (
        "price",
        re.compile(
            r"\bhow much (?:does|do|is|are|will|would|did)\b.*\b(?:cost|costs|charge|charged)\b"
            r"|\bwhat does (?:it|a|an|the)\b.*\bcost\b|\b(?:price|fee|hourly rate|per hour)\b"
            # "What's the cap in pounds?": an amount of money.
            r"|\bin (?:pounds|pound|quid|£)\b"
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
    # "What rule did it break?", "what were the lies?": which one, not that there was one.
    (
        "detail",
        re.compile(
            r"\bwhat (?:exactly |precisely )?(?:rule|rules|lie|lies)\b(?: exactly)? (?:did|was|were|had)\b"
            r"|\bwhat (?:exactly |precisely )?(?:was|were) (?:the |those |that )?(?:rule|rules|lie|lies)\b"
            r"|\bwhat (?:exactly )?(?:did|had) (?:\w+ ){1,5}do wrong\b"
            r"|\bwhat (?:did|does|has|had) (?:\w+ ){1,3}lie about\b"
        ),
    ),
    (
        "happened",
        re.compile(
            r"^(?:so |and |but |ok )?(?:did|has|have|had|was|were|will|would)\b(?: \S+){1,10} "
            r"(?:actually |ever |really |eventually )?(?:win|won|happen|happened|held|hold|"
            r"succeed|succeeded|achieve|achieved|pay off|paid off|pass|passed|go through|"
            r"went through|become law|became law|get through|got through|"
            r"(?:get|got) what (?:they|we|he|she|members|workers) (?:wanted|asked for))\b"
            r"|^(?:so |and |but |ok )?(?:did|has|have) (?:the|that|this) \w+(?: \w+)? "
            r"(?:ever|actually|really|eventually)\b"
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
    (
        # "How long can a message be?" asks a length, not a time.
        "duration",
        re.compile(
            r"\bhow long\b(?! (?:can|could|may|might|should|must) (?:\w+ ){1,4}be\b)"
            r"|\bhow many (?:years|yrs|months|weeks|days)\b"
        ),
    ),
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
            r"|\bwhat(?: [a-z]+){0,3} %(?: |$)|\bwhat(?: [a-z]+){1,4} (?:percentage|percent)\b"
            r"|\bwhat(?:s| is| was)? (?:the )?(?:current |new |exact )?(?:cap|ceiling|limit)"
            r" (?:on|for)\b|\bvotes? (?:count|tally)\b"
        ),
    ),
    (
        "date",
        re.compile(
            r"^(?:so |and |but |ok |okay )?(?:when|wen|whens)\b"
            r"|\bwhat (?:exact |precise |actual |specific )?(?:date|day|time)\b"
            r"|\bwhich (?:date|day)\b|\bby when\b|\bwhen (?:is|was|will|did|does|do|are)\b"
        ),
    ),
    (
        # "What job did Francis Maude have?": someone's post, named beside them.
        "post",
        re.compile(
            r"\b(?:what|which)(?: \w+)? (?:job|role|post|position|title)s? (?:did|does|do|was|is|has|had)\b"
            # "What job is this vote for?" asks for the post itself, not who holds it.
            r"(?! (?:this|the|that) (?:vote|election|ballot|contest)\b)"
            # "Mark's position" is where he stands, not a post.
            r"|\b\w+s (?:job|role|post|job title)\b(?! (?:cuts|losses|security|centre))"
        ),
    ),
    (
        "name",
        re.compile(
            r"\bwho (?:currently |now )?(?:is|was|were|are|did|wrote|interviewed|took|runs|ran|else|published|"
            r"conducted|chairs|leads|led|stood|stands|sits|holds|represents)\b|\bwhos\b"
            r"|\bwhat(?:s| is| was) (?:his|"
            r"the) name\b|\bwhich (?:\w+ )?(?:paper|newspaper|union|city|town|book|court|party|"
            r"company|companies|firm|firms|minister|department|departments|branch|branches|unions|parties|"
            r"candidate|candidates|contractor|contractors|"
            r"employer|employers|government|governments|organisation|organisations|person|"
            r"people|leader|minister|mp|mps|constituency|seat|programme|channel)\b"
            r"|\bwhich (?:tv|radio) (?:programme|show|channel)\b"
            r"|\bwhat (?:paper|newspaper|union|city|town|book|constituency|party|programme)\b"
            r"|\b\w+s (?:constituency|seat)\b"
        ),
    ),
)
