"""Who is told when the campaign's data changes, and a debounced refresh for them.

The dispatcher reports each command that may have changed something; the Slack Home
tabs and the Discord boards listen, and refresh once for a burst of changes rather than
once per change, which keeps them inside the platforms' rate limits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.campaign.domain import User

log = logging.getLogger(__name__)

# Commands that only show things: running them changes nothing anyone else sees.
SHOW_ONLY = frozenset(
    {
        "help",
        "progress",
        "branch",
        "pipeline",
        "questions",
        "reminders",
        "mydata",
        "audit",
        "export",
        "home",
        "ballot",
    }
)


@dataclass(frozen=True, slots=True)
class Change:
    """Someone ran a command that may have changed what is shown."""

    user: User
    command: str
    branch_code: str | None = None


Listener = Callable[[Change], None]


class Changes:
    """Listeners for changes, told in the order they subscribed."""

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def notify(self, change: Change) -> None:
        if change.command in SHOW_ONLY:
            return
        for listener in list(self._listeners):
            try:
                listener(change)
            except Exception:
                log.exception("a change listener failed")


class Debounced:
    """Runs `work` once, `delay` seconds after the first poke of a burst.

    A poke while the work runs schedules one more run after it, so the last change is
    always shown.
    """

    def __init__(self, work: Callable[[], Awaitable[None]], delay: float, name: str):
        self.work = work
        self.delay = delay
        self.name = name
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._closed = False

    def poke(self) -> None:
        if self._closed:  # stopping: nothing new starts once the refresh is closed
            return
        if self._task is not None and not self._task.done():
            self._again = True
            return
        self._again = False
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self.name)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.delay)
            self._again = False
            try:
                await self.work()
            except Exception:
                log.exception("%s failed", self.name)
            if not self._again:
                return

    async def close(self) -> None:
        """Stop: a refresh waiting or under way is cancelled and awaited."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
