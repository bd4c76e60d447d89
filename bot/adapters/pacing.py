"""Pacing sends below a platform's rate limit (the platform adapters use it)."""

from __future__ import annotations

from aiolimiter import AsyncLimiter


def paced(per_second: float) -> AsyncLimiter:
    """A limiter for `per_second` sends: over each quarter second, never a bigger burst.

    A short window keeps bursts small (a platform's own bucket allows a second's worth),
    and a window longer than one send absorbs timer jitter that would otherwise cost a
    tenth of the rate.
    """
    window = 0.25
    return AsyncLimiter(max(1.0, per_second * window), window)
