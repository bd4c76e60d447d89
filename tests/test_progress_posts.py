"""Scheduled progress posts: pack rules, listed by `mobilise schedule`, sent to broadcast
channels with the tally, and the chart once there is a report to chart."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.app import open_services
from bot.campaign.domain import NominationReport, User
from bot.campaign.rules import Rule
from bot.runtime.clock import Clock
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from schedules.progress_posts import progress_posts
from tests import reminder_state as states
from tests.conftest import CAMPAIGN, LONDON, mobilise_command, sqlite_url

MONDAY = datetime(2019, 9, 9, 9, 0, tzinfo=LONDON)
PNG = b"\x89PNG"


@pytest.fixture
async def channel_services(settings: Settings) -> AsyncIterator[Services]:
    clock = Clock(LONDON, start=states.BEFORE, frozen=True)
    async with open_services(settings, clock=clock) as services:
        olive = User("console", "olive", "olive")
        await services.store.deliveries.subscribe("console", "general", olive, states.BEFORE)
        yield services


def test_the_pack_lists_the_progress_posts_of_a_window(services: Services) -> None:
    campaign = services.campaign
    whole = progress_posts(campaign, LONDON, campaign.nominations_open, campaign.ballot_close)
    assert [p.rule.id for p in whole] == ["weekly-progress"] * len(whole)
    days = [p.at.astimezone(LONDON).date() for p in whole]
    assert days[0] == date(2019, 9, 9)  # the first Monday after nominations open
    assert all(d.weekday() == 0 for d in days)
    assert all(p.at <= campaign.nominations_close for p in whole)
    assert all(later - earlier == timedelta(days=7) for earlier, later in pairwise(days))
    one_week = progress_posts(campaign, LONDON, MONDAY, MONDAY + timedelta(days=7))
    assert [p.at for p in one_week] == [MONDAY]
    assert progress_posts(campaign, LONDON, MONDAY + timedelta(minutes=1), MONDAY) == []


def test_progress_posts_are_for_channels() -> None:
    timing = {
        "every": {"days": 1, "time": "09:00"},
        "from": {"anchor": "nominations_open"},
        "until": {"anchor": "nominations_close"},
    }
    Rule(id="daily", audience="channel", text="Today:", progress=True, chart=True, **timing)
    with pytest.raises(ValidationError, match="progress posts go to channels"):
        Rule(id="daily", audience="volunteer", text="Today:", progress=True, **timing)
    with pytest.raises(ValidationError, match="chart goes with progress"):
        Rule(id="daily", audience="channel", text="Today:", chart=True, **timing)


async def test_a_progress_post_carries_the_tally_and_no_empty_chart(
    channel_services: Services,
) -> None:
    sender = states.RecordingSender()
    deliverer = await states.sending(channel_services, {"console": sender})
    await deliverer.sweep(MONDAY + timedelta(seconds=30))
    posts = [r for t, r in sender.replies if t.kind == "channel"]
    (post,) = posts
    assert post.title == "Nomination progress"
    lines = post.text.splitlines()
    assert lines[0] == "Weekly update on nominations for Mark: 35 days until nominations close."
    assert lines[1] == "0 of the 15 branches needed count so far (0 reported, 0 verified)."
    assert post.attachment is None  # nothing reported: the chart would be empty


async def test_a_progress_post_attaches_the_chart_once_there_are_reports(
    channel_services: Services,
) -> None:
    store = channel_services.store
    someone = User("console", "dee", "Dee")
    for code in ("DWP-LEEDS", "HMRC-BOOT"):
        await store.nominations.record(
            NominationReport(code, "nominated", None, date(2019, 9, 5), someone, states.BEFORE)
        )
    sender = states.RecordingSender()
    deliverer = await states.sending(channel_services, {"console": sender})
    await deliverer.sweep(MONDAY + timedelta(seconds=30))
    (post,) = [r for t, r in sender.replies if t.kind == "channel"]
    assert "(2 reported, 0 verified)" in post.text
    assert "Reported but not counted yet: 2 branches" in post.text
    assert post.attachment is not None
    assert post.attachment.filename == "progress-2019-09-09.png"
    assert post.attachment.content.startswith(PNG)


async def test_mobilise_schedule_lists_the_progress_posts(
    channel_services: Services, db_path: Path
) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("MOBILISE_", "SLACK_", "DISCORD_"))
    }
    result = await asyncio.to_thread(
        subprocess.run,
        [
            *mobilise_command(),
            "--db",
            sqlite_url(db_path),
            "--campaign",
            str(CAMPAIGN),
            "--now",
            "2019-09-01T12:00",
            "schedule",
            "--from",
            "2019-09-08",
            "--to",
            "2019-09-22",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=env,
    )
    lines = result.stdout.splitlines()
    planned = [line for line in lines if "weekly-progress" in line and "console:general" in line]
    assert len(planned) == 2  # in the plan, to the subscribed channel
    start = lines.index("Progress posts, to each broadcast channel:")
    assert lines[start + 1 :] == [
        "Mon 9 Sep     9am  weekly-progress, with the chart",
        "Mon 16 Sep     9am  weekly-progress, with the chart",
        "2 progress posts",
    ]
