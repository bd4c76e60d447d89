"""The composition root: builds settings, pack, store, answers and commands, once.

`open_services` owns start-up and shutdown in one `async with`; adapters and the CLI get
everything they need from the `Services` it yields. No module keeps connections globally.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.branches import BranchDirectory
from bot.campaign import Campaign, load_campaign
from bot.clock import Clock
from bot.knowledge import AnswerEngine, LearnedAnswer
from bot.services import Services
from bot.settings import Settings
from bot.store import Store
from commands import registry

log = logging.getLogger(__name__)

PACK_BRANCHES = "pack_branches_sha256"
PACKAGED_CAMPAIGN = Path(__file__).resolve().parent.parent / "campaign"


def campaign_dir(settings: Settings) -> Path:
    """The configured pack; the default falls back to the pack shipped with the code."""
    path = settings.campaign
    if not path.exists() and path == Path("campaign") and PACKAGED_CAMPAIGN.is_dir():
        return PACKAGED_CAMPAIGN
    return path


def make_clock(settings: Settings) -> Clock:
    return Clock(settings.zone, start=settings.now)


@asynccontextmanager
async def open_services(
    settings: Settings, *, clock: Clock | None = None, campaign: Campaign | None = None
) -> AsyncIterator[Services]:
    campaign = campaign or load_campaign(campaign_dir(settings))
    clock = clock or make_clock(settings)
    store = await Store.open(settings.database_url)
    try:
        # The pack's branch list is applied when it changes, so a list imported since
        # (mobilise import-branches) is not overwritten at every start.
        listed = hashlib.sha256(repr(campaign.branches).encode()).hexdigest()
        if await store.state_value(PACK_BRANCHES) != listed:
            await store.sync_branches(campaign.branches, clock.now())
            await store.set_state_value(PACK_BRANCHES, listed)
        branches = BranchDirectory(await store.branches())
        learned = [LearnedAnswer(a.id, a.question, a.answer) for a in await store.faq_answers()]
        answers = AnswerEngine(campaign, learned)
        # Everything built so far lives as long as the bot: keep the garbage collector
        # from scanning it again and again (long pauses under load otherwise).
        gc.collect()
        gc.freeze()
        yield Services(
            settings=settings,
            campaign=campaign,
            store=store,
            clock=clock,
            branches=branches,
            answers=answers,
            commands=registry(),
        )
    finally:
        await store.close()
