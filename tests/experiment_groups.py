"""A volunteer's group in a wording experiment, worked out in the tests from the README's
description alone (never by calling the bot's assignment)."""

from __future__ import annotations

import hashlib
from typing import Any

NAME = "Re-elect Mark Serwotka"  # campaign.yaml's name: what assignments are keyed by


def hashed_group(rule: dict[str, Any], person: str, campaign: str = NAME) -> str:
    """The group as the README describes it, worked out here from scratch."""
    key = "\x1f".join((campaign, rule["id"], person)).encode("utf-8")
    drawn = int.from_bytes(hashlib.sha256(key).digest()[:8], "big") / 2**64
    holdout = float(rule.get("holdout") or 0)
    if drawn < holdout:
        return "holdout"
    ids = [v["id"] for v in rule["variants"]]
    return ids[min(int((drawn - holdout) / (1 - holdout) * len(ids)), len(ids) - 1)]
