"""Jobs: APScheduler drives the sweeps; the job is rebuilt at start-up with a stable id.

Nothing is pickled: the job store is in memory and the job is a plain module-level
function that takes an id and looks up the running deliverer. A sweep runs at once on
start (catching up on anything missed while the bot was down) and then every minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import DBAPIError

from bot.campaign.branches import BranchDirectory
from bot.errors import describe_store_error
from bot.runtime.leader import holding
from bot.runtime.retention import purge_if_due
from schedules.deliver import Deliverer

log = logging.getLogger(__name__)

SWEEP_SECONDS = 60
BRANCHES_SECONDS = 300
PURGE_SECONDS = 3600
REQUEST_KEYS_KEPT = timedelta(hours=2)
STOP_WAIT = 3.0  # seconds a job under way at shutdown is given to finish
# Stable job ids: a job rebuilt at start-up replaces its namesake.
JOB_IDS = {
    "sweep": "mobilise:sweep",
    "refresh_branches": "mobilise:branches",
    "purge_when_due": "mobilise:purge",
}

_running: dict[str, Deliverer] = {}
_in_flight: dict[str, set[asyncio.Task[Any]]] = {}  # jobs under way, awaited on stopping


@contextlib.contextmanager
def _job(context: str) -> Iterator[Deliverer | None]:
    """A job's run: its deliverer (None once stopping), and its task kept till it ends.
    Stopped at shutdown, it ends quietly: what it had not done, the next start does."""
    task = asyncio.current_task()
    running = _in_flight.setdefault(context, set())
    if task is not None:
        running.add(task)
    try:
        yield _running.get(context)
    except asyncio.CancelledError:
        log.info("a scheduled job stopped with the bot; the next start runs it again")
    finally:
        if task is not None:
            running.discard(task)


async def sweep(context: str) -> None:
    """The scheduled job: one sweep for the deliverer registered as `context`."""
    with _job(context) as deliverer:
        if deliverer is None:
            return
        async with deliverer.sweeping:
            try:
                await deliverer.sweep(deliverer.services.clock.now())
            except DBAPIError as error:  # the store failed (a full disk): one line, not its trace
                log.error(
                    "a reminder sweep failed: %s; the next one will try again",
                    describe_store_error(error),
                )
            except Exception:
                log.exception("a reminder sweep failed; the next one will try again")


async def refresh_branches(context: str) -> None:
    """Pick up a branch list imported by another process (mobilise import-branches)."""
    with _job(context) as deliverer:
        if deliverer is None:
            return
        services = deliverer.services
        branches = await services.store.branches.active()
        retired = await services.store.branches.retired()
        known = (services.branches.branches, services.branches.retired)
        if (tuple(branches), tuple(retired)) != known:
            services.branches = BranchDirectory(branches, retired)
            log.info("branch list reloaded: %d branches", len(branches))


async def purge_when_due(context: str) -> None:
    """Once the campaign's purge date has passed, delete the personal data it still holds."""
    with _job(context) as deliverer:
        if deliverer is None:
            return
        services = deliverer.services
        # Request keys are kept for the platforms' retry window (an hour), then forgotten.
        await services.store.requests.forget_before(datetime.now(UTC) - REQUEST_KEYS_KEPT)
        counts = await purge_if_due(services, by="the schedule")
        if counts is not None:
            log.info("purged personal data after the purge date: %s", counts)


@asynccontextmanager
async def scheduled(deliverer: Deliverer, every: float = SWEEP_SECONDS) -> AsyncIterator[None]:
    """Run sweeps for `deliverer` while the context is open."""
    context = f"store-{id(deliverer)}"
    _running[context] = deliverer
    scheduler = AsyncIOScheduler(timezone=deliverer.zone)
    now = datetime.now(deliverer.zone)
    for job, seconds, first in (
        (sweep, every, now),  # at once: catch up on anything missed while down
        (refresh_branches, BRANCHES_SECONDS, None),
        (purge_when_due, PURGE_SECONDS, now),  # a bot restarted often still purges
    ):
        scheduler.add_job(
            job,
            IntervalTrigger(seconds=seconds, timezone=deliverer.zone),
            args=[context],
            id=JOB_IDS[job.__name__],
            replace_existing=True,
            next_run_time=first,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=max(1, int(seconds)),
        )
    scheduler.start()
    log.info("reminders scheduled: a sweep every %s seconds", every)
    try:
        yield
    finally:
        scheduler.pause()
        deliverer.stopping = True
        async with deliverer.sweeping:  # let a sweep under way finish the sends in flight
            _running.pop(context, None)
        # The other jobs (a branch reload, a purge) finish too, or are stopped and awaited,
        # before the store closes.
        under_way = _in_flight.pop(context, set()) - {asyncio.current_task()}
        if under_way:
            _, late = await asyncio.wait(under_way, timeout=STOP_WAIT)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        scheduler.shutdown(wait=False)


async def _lead(deliverer: Deliverer, every: float, poll: float) -> None:
    lease = deliverer.lease
    assert lease is not None
    renew = renewal_interval(lease.seconds, poll)
    while True:
        await lease.acquire(wait=None, poll=poll)
        async with holding(lease, renew) as lost, scheduled(deliverer, every):
            await lost.wait()
        log.warning("standing by for the reminders lease")


def renewal_interval(lease_seconds: float, poll: float) -> float:
    """How often a holder renews: often enough that a late renewal never lets it lapse."""
    return min(poll, lease_seconds / 4)


@asynccontextmanager
async def reminders(
    deliverer: Deliverer, every: float = SWEEP_SECONDS, poll: float = 5.0
) -> AsyncIterator[None]:
    """Send reminders from this process while it holds the reminders lease (bot.runtime.leader)."""
    task = asyncio.create_task(_lead(deliverer, every, poll), name="mobilise-reminders")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
