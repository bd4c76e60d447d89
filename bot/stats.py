"""The one interval the project computes for a proportion: Wilson's score interval, used
by the answer evaluation and by the wording experiments' report."""

from __future__ import annotations

import math

Z95 = 1.959963984540054  # the standard normal's 97.5th percentile


def wilson(successes: int, total: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval (95% by default) for a proportion `successes` of `total`;
    (0, 1) when there is nothing to go on."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = (z / (1 + z * z / total)) * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return max(0.0, centre - half), min(1.0, centre + half)
