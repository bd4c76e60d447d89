"""Known bugs a rehearsal can plant, to show that the oracle catches them.

`count-future-meetings`: a meeting still to come counts as held, so a nomination
reported before its meeting counts at once (the defect the oracle was built to catch).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

PLANTS = ("count-future-meetings",)


@contextmanager
def planted(bug: str) -> Iterator[None]:
    if bug not in PLANTS:
        raise ValueError(f"no such planted bug: {bug!r} (known: {', '.join(PLANTS)})")
    with mock.patch("bot.pipeline.held_by", return_value=True):
        yield
