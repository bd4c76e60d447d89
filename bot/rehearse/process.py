"""A bot process in a rehearsal: the real runtime (services, dispatcher, store), a
reminders lease kept renewed, and a `Deliverer` sending on the stand-in platforms.

It can stop cleanly (the lease and its claims given back) or be killed: the sweep under
way is abandoned mid-send, nothing is finished or given back, and the next process has
to wait out the dead one's lease and find out what it had already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.app import open_runtime
from bot.campaign.pack import Campaign
from bot.dispatch.dispatcher import Dispatcher
from bot.rehearse.platforms import Killed, Platform, Process, Sender
from bot.runtime.clock import Clock
from bot.runtime.leader import Lease
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from schedules.deliver import Deliverer
from schedules.sending import SweepReport

RENEW_SECONDS = 0.5


class Bot:
    """One running bot process."""

    def __init__(
        self,
        name: str,
        settings: Settings,
        clock: Clock,
        campaign: Campaign,
        platforms: dict[str, Platform],
    ):
        self.process = Process(name)
        self._settings = settings
        self._clock = clock
        self._campaign = campaign
        self._platforms = platforms
        self._stack = AsyncExitStack()
        self._renewing: asyncio.Task[None] | None = None
        self.services: Services
        self.dispatcher: Dispatcher
        self.lease: Lease
        self.deliverer: Deliverer
        self.lost = False

    async def start(self, wait: float | None = None) -> None:
        runtime = await self._stack.enter_async_context(
            open_runtime(self._settings, clock=self._clock, campaign=self._campaign)
        )
        self.services, self.dispatcher = runtime.services, runtime.dispatcher
        self.lease = Lease(self.services.store, self.process.name, self._settings.lease_seconds)
        senders = {p: Sender(platform, self.process) for p, platform in self._platforms.items()}
        # A chart per digest would be most of a rehearsal's time, and no one sees it: the
        # oracle draws the chart itself (see checks) and the digests go without one.
        self.deliverer = runtime.reminders(senders, self.lease, charts=False)
        if wait is not None:
            await self.take(wait)

    async def take(self, wait: float) -> bool:
        """Hold the reminders lease (waiting up to `wait` seconds), and keep it renewed."""
        if self.lease.valid and not self.lost:
            return True
        if wait <= 0:
            if await self.lease.try_take() is not None:
                return False
        else:
            await self.lease.acquire(wait=wait, poll=0.05)
        self.lost = False
        if self._renewing is None or self._renewing.done():
            self._renewing = asyncio.create_task(self._renew())
        return True

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            if not await self.lease.renew():
                self.lost = True
                return

    async def sweep(self, now: datetime) -> SweepReport:
        return await self.deliverer.sweep(now)

    async def stop(self) -> None:
        """A clean stop: the lease and the claims not yet being sent are given back."""
        await self._cancel_renewal()
        await self.lease.release()
        await self._stack.aclose()

    async def kill(self) -> None:
        """kill -9: nothing more reaches a platform; the lease is left to run out."""
        self.process.dead = True
        await self._cancel_renewal()
        await asyncio.sleep(0)  # let sends already under way fail
        with contextlib.suppress(Exception, Killed):
            await self._stack.aclose()  # only the connections go, as they do with a process

    async def _cancel_renewal(self) -> None:
        if self._renewing is not None:
            self._renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewing


@dataclass
class Faults:
    """When the bot restarts, when it is killed mid-sweep, and when a second sender
    starts; chosen from the seed at daytime hours (when reminders are going out)."""

    rng: random.Random
    start: datetime
    end: datetime
    restarts: set[datetime] = field(default_factory=set)
    kills: set[datetime] = field(default_factory=set)
    second_from: datetime | None = None
    done: dict[str, int] = field(default_factory=lambda: {"restarts": 0, "kills": 0})

    def __post_init__(self) -> None:
        span = int((self.end - self.start).total_seconds() // 3600)
        hours = [self.start + timedelta(hours=h) for h in range(span)]
        busy = [h for h in hours if h.hour in (9, 10, 18)]
        self.restarts = set(self.rng.sample(hours, min(4, len(hours))))
        self.kills = set(self.rng.sample(busy, min(3, len(busy))))
        self.second_from = self.rng.choice(hours) if hours else None


class ErrorLog(logging.Handler):
    """Errors the bot logs while rehearsing: each one is a violation."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(f"{record.name}: {record.getMessage()}")
