"""Wording experiments: which wording of a rule (or none, the holdout) each volunteer gets.

The assignment is a pure function of the campaign's name, the rule's id and the person's
platform and user id, through SHA-256: the same in every process, after every restart,
and worked out again the same way by anyone who has those three. Nothing is drawn at
random and nothing needs storing to stay the same; what was sent is recorded with its
wording in the delivery log, for the report (`bot.views.experiments`).
"""

from __future__ import annotations

import hashlib

from bot.campaign.rules import HOLDOUT, Rule

__all__ = ["HOLDOUT", "Assignments", "assign", "share"]


def share(campaign: str, rule_id: str, person: str) -> float:
    """A number in [0, 1), spread evenly, fixed by the three names."""
    key = "\x1f".join((campaign, rule_id, person)).encode("utf-8")
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2**64


def assign(campaign: str, rule: Rule, person: str) -> str | None:
    """The id of the wording `person` ("platform:user id") gets from `rule`, HOLDOUT if
    they get nothing from it, or None if the rule has no variants."""
    variants = rule.variants
    if not variants:
        return None
    drawn = share(campaign, rule.id, person)
    holdout = rule.holdout_share
    if drawn < holdout:
        return HOLDOUT
    index = int((drawn - holdout) / (1 - holdout) * len(variants))
    return variants[min(index, len(variants) - 1)].id


class Assignments:
    """`assign` for one campaign, remembered: the planner asks for every volunteer at
    every sweep."""

    def __init__(self, campaign: str):
        self.campaign = campaign
        self._known: dict[tuple[str, str, str], str | None] = {}

    def __call__(self, rule: Rule, platform: str, user_id: str) -> str | None:
        key = (rule.id, platform, user_id)
        if key not in self._known:
            self._known[key] = assign(self.campaign, rule, f"{platform}:{user_id}")
        return self._known[key]
