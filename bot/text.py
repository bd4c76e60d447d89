"""Cleaning the free text people type before the bot stores or repeats it."""

from __future__ import annotations

import re
import unicodedata

# Bidirectional overrides and isolates can make text display differently from what it is.
_BIDI = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
_SPACES = re.compile(r"[ \t]+")


def clean_text(value: str) -> str:
    """NFC-normalise, drop control and bidi-override characters, tidy spaces."""
    value = unicodedata.normalize("NFC", value).translate(_BIDI)
    value = "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    lines = [_SPACES.sub(" ", line).strip() for line in value.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def one_line(value: str) -> str:
    return " ".join(clean_text(value).split())


def shorten(value: str, limit: int) -> str:
    """Cut `value` to at most `limit` characters at a word boundary, with an ellipsis."""
    if len(value) <= limit:
        return value
    cut = value[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + "…"


def words(text: str) -> frozenset[str]:
    """A set of words from a block of text, for word lists kept readable in code."""
    return frozenset(text.split())
