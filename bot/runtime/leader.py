"""Which process sends the reminders: the one holding the store's `reminders` lease.

Every path that sends (`run`, `run --reminders-only`, the console's `run`, `send-due`)
takes the same lease, a row in the store with an owner and an expiry, on SQLite and
PostgreSQL alike. The holder renews it every few seconds and extends the claims on the
messages it is sending with it; a holder that dies stops renewing, and once its lease
and claims run out another process takes over. A holder that cannot renew in time stops
sending (its claims may pass to another), so two processes never send at once.

Holding is checked again right before each platform call (`schedules.deliver`), after any
wait for the rate limiter: the message is marked "sending" in a write that compares the
lease's epoch (its fencing token) with the one the sender started under, and the local
monotonic clock must show the lease renewed recently enough. A process paused past its
lease (a VM paused, a laptop lid closed) finds on waking that either check fails, and
stops instead of sending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from bot.store import Store
from bot.store.deliveries import Owner

log = logging.getLogger(__name__)

REMINDERS = "reminders"


class LeaseHeld(Exception):
    """Another process holds the lease; the message says which and until when."""


def describe_process(role: str) -> str:
    """Who this process is, for the lease and for the message a second sender prints."""
    return f"{role} (process {os.getpid()} on {socket.gethostname()}, {uuid.uuid4().hex[:6]})"


class Lease:
    """The reminders lease for one process: take it, keep it, give it back."""

    def __init__(self, store: Store, role: str, seconds: float, name: str = REMINDERS):
        self.store = store
        self.name = name
        self.owner_name = describe_process(role)
        self.seconds = seconds
        self._valid_until = 0.0  # monotonic: past this, do not start another send
        self._until = datetime.now(UTC)  # wall clock: when the lease (and claims) run out
        self.epoch = 0  # the fencing token of this process's current holding

    def owner(self) -> Owner:
        """This process as the owner of claims, which last exactly as long as the lease:
        so whoever holds the lease knows every other claim has run out."""
        return Owner(self.owner_name, self._until, datetime.now(UTC), self.epoch, self.name)

    @property
    def valid(self) -> bool:
        """Whether the lease surely still holds: it was renewed recently enough."""
        return time.monotonic() < self._valid_until

    def holds(self, epoch: int) -> bool:
        """Whether the lease surely still holds, unbroken since `epoch` began: false after
        a pause longer than the lease (the monotonic clock jumped past the renewal)."""
        return self.valid and self.epoch == epoch

    async def try_take(self) -> str | None:
        """Take or renew the lease; None if held, else who holds it."""
        started = time.monotonic()
        now = datetime.now(UTC)
        until = now + timedelta(seconds=self.seconds)
        holder, epoch = await self.store.leases.take(self.name, self.owner_name, until, now)
        if holder != self.owner_name:
            self._valid_until = 0.0
            return holder
        self._until = until
        self.epoch = epoch
        # A margin for clocks. Counted from before the write: if the write took longer
        # than that (or the process was paused in it), the lease is not valid at all.
        self._valid_until = started + self.seconds * 0.8
        return None

    async def acquire(self, wait: float | None, poll: float) -> None:
        """Wait (up to `wait` seconds; None: for ever) until this process holds the lease."""
        deadline = None if wait is None else time.monotonic() + wait
        announced = False
        while True:
            try:
                holder = await self.try_take()
            except Exception as error:  # the database is away for now: keep trying
                log.warning("could not ask for the reminders lease: %s", type(error).__name__)
                holder = "nobody reachable"
            if holder is None:
                log.info("this process now sends the reminders")
                return
            if deadline is not None and time.monotonic() >= deadline:
                found = await self.store.leases.holder(self.name)
                until = f", until {found[1]:%H:%M:%S} UTC" if found else ""
                raise LeaseHeld(f"reminders are being sent by {holder}{until}")
            if not announced:
                log.info("another process sends the reminders; standing by (held by %s)", holder)
                announced = True
            await asyncio.sleep(poll)

    async def renew(self) -> bool:
        """Renew the lease and this process's claims; False if it has been lost."""
        try:
            if await self.try_take() is not None:
                return False
            await self.store.deliveries.extend_claims(self.owner())
        except Exception as error:
            log.warning("could not renew the reminders lease: %s", type(error).__name__)
            return self.valid
        return True

    async def release(self) -> None:
        """Give the lease back, and the claims on messages not yet being sent, so that
        another process can take over at once."""
        self._valid_until = 0.0
        with contextlib.suppress(Exception):
            await self.store.deliveries.release_claims(self.owner_name)
        with contextlib.suppress(Exception):
            await self.store.leases.release(self.name, self.owner_name, datetime.now(UTC))


@contextlib.asynccontextmanager
async def holding(lease: Lease, poll: float) -> AsyncIterator[asyncio.Event]:
    """While open, keep renewing the lease; the event is set if it is lost."""
    lost = asyncio.Event()

    async def keep() -> None:
        while True:
            await asyncio.sleep(poll)
            if not await lease.renew():
                log.warning("lost the reminders lease")
                lost.set()
                return

    task = asyncio.create_task(keep(), name="mobilise-lease")
    try:
        yield lost
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await lease.release()
