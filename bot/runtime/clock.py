"""The bot's idea of now.

The 2019 campaign is tried and tested today by starting the clock at a moment in 2019
(`--now`); from there it runs forward in real time. Tests freeze it and move it by hand.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, tzinfo


class Clock:
    """Aware datetimes in the campaign's zone, optionally shifted or frozen."""

    def __init__(self, zone: tzinfo, start: datetime | None = None, frozen: bool = False):
        self.zone = zone
        self._frozen = frozen
        self._fixed: datetime | None = None
        self._offset = 0.0
        if start is not None:
            start = start if start.tzinfo else start.replace(tzinfo=zone)
            if frozen:
                self._fixed = start
            else:
                self._offset = start.timestamp() - time.time()

    def now(self) -> datetime:
        if self._fixed is not None:
            return self._fixed.astimezone(self.zone)
        return datetime.fromtimestamp(time.time() + self._offset, self.zone)

    def set(self, moment: datetime) -> None:
        """Freeze the clock at `moment` (tests and simulations)."""
        self._fixed = moment if moment.tzinfo else moment.replace(tzinfo=self.zone)

    def advance(self, delta: timedelta) -> None:
        if self._fixed is None:
            self._offset += delta.total_seconds()
        else:
            self._fixed = self._fixed + delta
