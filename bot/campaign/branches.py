"""Finding the branch someone means from what they typed.

An exact code or name wins. Otherwise each word typed is matched against the words of
every branch's name, group and code, whole words first, then a typo (rapidfuzz) or the
start of a word. A word counts for as much as it tells branches apart: "Met" picks one
branch where "Office" is shared by several, and a group's name ("DWP") matches all of its
branches alike. One branch clearly ahead is the answer; several close together are
offered as choices (`Ambiguous`); nothing close is an error. Nothing is written here.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from rapidfuzz import fuzz, utils

from bot.campaign.domain import Branch
from bot.errors import UserError

ACCEPT = 0.72  # a branch matching this much of what was typed is used, if no rival is close
MARGIN = 0.2  # how far ahead of the next branch it must be
SUGGEST = 0.55  # branches matching this much are offered as choices
TYPO = 80.0  # rapidfuzz ratio for a word to count as a misspelling of another
PREFIX = 0.85  # what the start of a word is worth (typing "manc" for Manchester)
CHOICES = 5  # choices offered at once; the rest are counted ("and 3 more")
MAX_BRANCH_TEXT = 120

_QUOTES = re.compile(r"^[\"'“”‘’]+|[\"'“”‘’]+$")


def _norm(text: str) -> str:
    text = _QUOTES.sub("", text.strip()).replace("&", " and ")
    return " ".join(utils.default_process(text).split())


def _words(text: str) -> list[str]:
    return _norm(text.replace("-", " ").replace("_", " ")).split()


def _joined(words: list[str]) -> list[str]:
    """Runs of one- and two-letter words joined ("mo j" is "moj")."""
    out: list[str] = []
    for word in words:
        if out and len(word) <= 2 and len(out[-1]) <= 3 and out[-1].isalpha() and word.isalpha():
            out[-1] += word
        else:
            out.append(word)
    return out


class Ambiguous(UserError):
    """Several branches fit what was typed: the best few, and how many more there are."""

    def __init__(self, typed: str, choices: Sequence[Branch], more: int):
        names = ", ".join(b.name for b in choices)
        super().__init__(f"Which branch did you mean? {names}. Nothing has been saved.")
        self.typed = typed
        self.choices = tuple(choices)
        self.more = more
        self.option = "branch"  # which option was ambiguous, set by whoever converts it


class BranchDirectory:
    """The branch list, searchable by code or by (misspelt, partial) name.

    Branches a replaced list retired are still found by their exact code or name (their
    records stay, and count), but never offered or guessed at.
    """

    def __init__(self, branches: Sequence[Branch], retired: Sequence[Branch] = ()):
        self.branches = tuple(branches)
        self._by_key: dict[str, Branch] = {}
        for branch in self.branches:
            self._by_key[_norm(branch.code)] = branch
            self._by_key.setdefault(_norm(branch.name), branch)
        listed = {b.code for b in self.branches}
        self.retired = tuple(b for b in retired if b.code not in listed)
        for branch in self.retired:
            self._by_key.setdefault(_norm(branch.code), branch)
            self._by_key.setdefault(_norm(branch.name), branch)
        self._retired = frozenset(b.code for b in self.retired)
        self._tokens = [
            frozenset(_words(b.name) + _words(b.group) + _words(b.code)) for b in self.branches
        ]
        seen = Counter(word for tokens in self._tokens for word in tokens)
        total = max(1, len(self.branches))
        self._weight = {word: math.log(1 + total / n) for word, n in seen.items()}
        self._rarest = max(self._weight.values(), default=1.0)

    def __len__(self) -> int:
        return len(self.branches)

    def get(self, code: str) -> Branch | None:
        return self._by_key.get(_norm(code))

    def is_retired(self, code: str) -> bool:
        return code in self._retired

    # --- scoring ---------------------------------------------------------------------

    def _similar(self, typed: str, word: str) -> float:
        if typed == word:
            return 1.0
        if len(typed) >= 3 and word.startswith(typed):
            return PREFIX
        if len(typed) >= 4 and len(word) >= 4:
            score = fuzz.ratio(typed, word)
            if score >= TYPO:
                return score / 100
        return 0.0

    def _weight_of(self, typed: str) -> float:
        """How much a typed word tells: the weight of the branch word it most resembles."""
        if typed in self._weight:
            return self._weight[typed]
        best = max(
            ((self._similar(typed, word), weight) for word, weight in self._weight.items()),
            default=(0.0, self._rarest),
        )
        return best[1] if best[0] else self._rarest

    def _score(self, typed: list[str]) -> list[tuple[Branch, float]]:
        weights = [self._weight_of(word) for word in typed]
        total = sum(weights) or 1.0
        scored = []
        for branch, tokens in zip(self.branches, self._tokens, strict=True):
            got = sum(
                weight * max((self._similar(word, token) for token in tokens), default=0.0)
                for word, weight in zip(typed, weights, strict=True)
            )
            if got:
                scored.append((branch, got / total))
        return scored

    def _scored(self, text: str) -> list[tuple[Branch, float]]:
        words = _words(text)
        best: dict[str, tuple[Branch, float]] = {}
        for variant in {tuple(words), tuple(_joined(words))}:
            for branch, score in self._score(list(variant)):
                if score > best.get(branch.code, (branch, 0.0))[1]:
                    best[branch.code] = (branch, score)
        typed = set(words)

        def order(pair: tuple[Branch, float]) -> tuple[float, float, str]:
            # Among equals, the branch whose own name was typed most fully comes first.
            own = _words(pair[0].name)
            covered = sum(1 for word in own if word in typed) / max(1, len(own))
            return (-pair[1], -covered, pair[0].name)

        return sorted(best.values(), key=order)

    # --- answers ---------------------------------------------------------------------

    def resolve(self, text: str) -> Branch:
        """The one branch `text` means; Ambiguous with the choices, or a UserError."""
        query = _norm(text)
        if not query:
            raise UserError("Please say which branch, by name or code.")
        if len(text) > MAX_BRANCH_TEXT:
            raise UserError("That branch name is too long. Use the branch's name or code.")
        exact = self._by_key.get(query)
        if exact is not None:
            return exact
        scored = self._scored(text)
        if scored:
            top, top_score = scored[0]
            rival = scored[1][1] if len(scored) > 1 else 0.0
            if top_score >= ACCEPT and top_score - rival >= MARGIN:
                return top
            close = [b for b, s in scored if s >= SUGGEST and s >= top_score - MARGIN]
            if close:
                raise Ambiguous(text.strip()[:60], close[:CHOICES], max(0, len(close) - CHOICES))
        shown = text.strip()[:60]
        raise UserError(
            f"I can't find a branch called {shown!r}. Check the spelling, or use the branch code."
        )

    def search(self, text: str, limit: int = 25) -> list[Branch]:
        """Best matches first, for autocomplete and pickers."""
        query = _norm(text)
        if not query:
            return list(self.branches[:limit])
        exact = self.get(text)
        if exact is not None and self.is_retired(exact.code):
            exact = None
        if len(query) < 3:  # a letter or two: every branch with it, where it comes first
            held = [(_norm(f"{b.name} {b.code}").find(query), b) for b in self.branches]
            found = [b for at, b in sorted(held, key=lambda p: (p[0], p[1].name)) if at >= 0]
        else:
            found = [b for b, s in self._scored(text) if s >= 0.3]
        if exact is not None:
            found = [exact, *(b for b in found if b != exact)]
        return found[:limit]


def refuse_retired(directory: BranchDirectory, branch: Branch) -> None:
    """New sign-ups and meetings go to branches on the list, not to retired ones."""
    if directory.is_retired(branch.code):
        raise UserError(
            f"{branch.name} is no longer on the branch list (its records stay). Pick your "
            "branch from the current list. Nothing has been saved."
        )
