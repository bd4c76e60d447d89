"""What "who wrote it?" or "who holds the seat?" asks was done: the deed a sentence must
say to answer it, not only a name beside the thing named."""

from __future__ import annotations

import re

from bot.knowledge.asking import SQUASH

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
        # "Who holds the seat now?": someone holding it, not the seat being set up.
        (("holds", "sits", "occupies"), r"\b(?:holds?|held|sits?|sat|occup|elected to|won)\b"),
    )
    for verb in verbs
}


def deed_asked(question: str) -> re.Pattern[str] | None:
    """What "who wrote it?" or "who did Mark beat?" asks was done, as a pattern a sentence
    answering it matches; None for "who is ...?" and other questions."""
    said = [
        w
        for w in re.findall(r"[a-z]+", question.lower().translate(SQUASH))
        if w not in ("currently", "now", "actually")
    ]
    for n, word in enumerate(said):
        if word not in ("who", "whom"):
            continue
        after = (
            said[n + 1 : n + 5]
            if said[n + 1 : n + 2] in (["did"], ["does"], ["do"])
            else said[n + 1 : n + 2]
        )
        for verb in after:
            # "Who sits on a committee?" asks for its members; "who sits in a seat?" its holder.
            if verb in _DEEDS and (verb != "sits" or "seat" in said):
                return _DEEDS[verb]
        if {"before", "predecessor", "previously"} & set(said[n + 1 :]):
            # "Who held the post before him?" needs who came before, not a name.
            return _DEEDS["preceded"]
        return None
    return None
