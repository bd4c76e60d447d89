"""Stopping in order: whatever a sweep still has in flight is finished, or cancelled and
awaited, before the store closes, so nothing touches a closed store and no error is
logged at the end."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.app import open_services
from bot.campaign.domain import ImportedVolunteer, User
from bot.campaign.loading import load_campaign
from bot.rehearse.platforms import Killed, Platform, Sent
from bot.rehearse.process import Bot
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from schedules import jobs
from tests import reminder_state as states
from tests.conftest import CAMPAIGN, LONDON, sqlite_url

VOLUNTEERS = 150


async def test_a_process_killed_mid_sweep_leaves_nothing_running(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    start = datetime(2019, 9, 20, 10, 0, tzinfo=LONDON)
    clock = Clock(LONDON, start=start, frozen=True)
    settings = Settings(
        database_url=sqlite_url(tmp_path / "store.db"), campaign=CAMPAIGN, lease_seconds=3.0
    )
    campaign = load_campaign(CAMPAIGN)
    async with open_services(settings, clock=clock, answers=False) as services:
        codes = [b.code for b in services.branches.branches]
        await services.store.people.import_volunteers(
            [
                ImportedVolunteer(User("console", f"v{i}", f"v{i}"), codes[i % len(codes)], start)
                for i in range(VOLUNTEERS)
            ],
            "consent",
            start - timedelta(minutes=5),
        )
    log: list[Sent] = []
    platforms = {"console": Platform("console", clock.now, log)}
    bot = Bot("bot-1", settings, clock, campaign, platforms)
    await bot.start(wait=10)
    caplog.set_level(logging.WARNING)
    bot.process.kill_after = 5  # dies after the fifth message of many sent at once
    with pytest.raises(Killed):
        await bot.sweep(start + timedelta(minutes=1))
    sending = [t for t in asyncio.all_tasks() if "_deliver" in repr(t.get_coro())]
    assert [t for t in sending if not t.done()] == []  # every send ended with the sweep
    await bot.kill()  # the store closes at once, as a killed process's connections go
    sent, writes = len(log), bot.services.store.generation
    await asyncio.sleep(0.5)
    assert len(log) == sent == 5  # nothing went on sending after the process died
    assert bot.services.store.generation == writes  # nor wrote to the closed store
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []

    # The next process finds what the dead one sent, and sends the rest once each.
    again = Bot("bot-2", settings, clock, campaign, platforms)
    await again.start(wait=10)
    await again.sweep(start + timedelta(minutes=2))
    await again.stop()
    keys = [s.key for s in log]
    assert len(keys) == len(set(keys)) == VOLUNTEERS
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_scheduled_job_under_way_finishes_before_the_schedule_stops(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, finished = asyncio.Event(), asyncio.Event()
    real = jobs.purge_if_due

    async def slow_purge(services: Services, by: str) -> dict[str, int] | None:
        started.set()
        await asyncio.sleep(0.3)  # a purge that takes a while, reading the store after it
        counts = await real(services, by=by)
        finished.set()
        return counts

    monkeypatch.setattr(jobs, "purge_if_due", slow_purge)
    deliverer = await states.sending(services, {})
    async with jobs.scheduled(deliverer, every=3600):
        await asyncio.wait_for(started.wait(), 10)
    assert finished.is_set()  # awaited on the way out, not left to run on a closed store
