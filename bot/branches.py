"""Finding the branch someone means from what they typed.

An exact code or name wins; otherwise a fuzzy match (rapidfuzz) is used when one branch
clearly stands out, "did you mean A or B?" when several are close, and an error when
nothing is. Nothing is written on the way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz, process, utils

from bot.domain import Branch
from bot.errors import UserError

ACCEPT = 86.0  # a match this good is used, if no rival is close
MARGIN = 6.0  # how far ahead of the next branch a match must be
SUGGEST = 62.0  # matches this good are offered as suggestions
MAX_BRANCH_TEXT = 120

_QUOTES = re.compile(r"^[\"'“”‘’]+|[\"'“”‘’]+$")


def _norm(text: str) -> str:
    text = _QUOTES.sub("", text.strip()).replace("&", " and ")
    return " ".join(utils.default_process(text).split())


class BranchDirectory:
    """The branch list, searchable by code or by (misspelt) name."""

    def __init__(self, branches: Sequence[Branch]):
        self.branches = tuple(branches)
        self._by_key: dict[str, Branch] = {}
        for branch in self.branches:
            self._by_key[_norm(branch.code)] = branch
            self._by_key.setdefault(_norm(branch.name), branch)
        self._names = [_norm(b.name) for b in self.branches]
        self._codes = [_norm(b.code) for b in self.branches]

    def __len__(self) -> int:
        return len(self.branches)

    def get(self, code: str) -> Branch | None:
        return self._by_key.get(_norm(code))

    def _scored(self, query: str, limit: int) -> list[tuple[Branch, float]]:
        best: dict[str, tuple[Branch, float]] = {}
        for choices, scorer in ((self._names, fuzz.WRatio), (self._codes, fuzz.ratio)):
            for _, score, index in process.extract(
                query, choices, scorer=scorer, limit=limit, processor=None
            ):
                branch = self.branches[index]
                if score > best.get(branch.code, (branch, -1.0))[1]:
                    best[branch.code] = (branch, float(score))
        return sorted(best.values(), key=lambda pair: (-pair[1], pair[0].name))

    def resolve(self, text: str) -> Branch:
        """The one branch `text` means, or a UserError saying why not."""
        query = _norm(text)
        if not query:
            raise UserError("Please say which branch, by name or code.")
        if len(text) > MAX_BRANCH_TEXT:
            raise UserError("That branch name is too long. Use the branch's name or code.")
        exact = self._by_key.get(query)
        if exact is not None:
            return exact
        scored = self._scored(query, limit=6)
        if scored:
            top, top_score = scored[0]
            rival = scored[1][1] if len(scored) > 1 else 0.0
            if top_score >= ACCEPT and top_score - rival >= MARGIN:
                return top
            close = [b for b, s in scored if s >= SUGGEST and s >= top_score - 12][:3]
            if close:
                names = [f"{b.name} ({b.code})" for b in close]
                options = (
                    names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
                )
                raise UserError(f"Which branch did you mean: {options}? Nothing has been saved.")
        shown = text.strip()[:60]
        raise UserError(
            f"I can't find a branch called {shown!r}. Check the spelling, or use the branch code."
        )

    def search(self, text: str, limit: int = 25) -> list[Branch]:
        """Best matches first, for autocomplete and pickers."""
        query = _norm(text)
        if not query:
            return list(self.branches[:limit])
        return [b for b, s in self._scored(query, limit=limit) if s >= 40][:limit]
