"""The composition root: settings, pack, store, answers, commands, dispatcher, adapters and
reminders are built here, once, and torn down in reverse by one async exit stack.

`open_services` gives what commands need; `open_runtime` adds the dispatcher and the
platform adapters (each with one client, used for both interactions and reminders) and,
if asked, the reminder schedule. The CLI's sub-commands take what they need from these.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from sqlalchemy.engine import make_url

from bot.adapters.base import Adapter
from bot.campaign.branches import BranchDirectory
from bot.campaign.domain import Branch
from bot.campaign.loading import load_campaign
from bot.campaign.pack import Campaign
from bot.dispatch.dispatcher import Dispatcher
from bot.errors import StartupError
from bot.knowledge.replies import LearnedAnswer
from bot.runtime.clock import Clock
from bot.runtime.leader import Lease
from bot.runtime.outbox import Sender
from bot.runtime.retention import purge_if_due
from bot.runtime.services import Services
from bot.runtime.settings import Settings
from bot.store import Store
from commands import registry
from schedules.deliver import Deliverer

if TYPE_CHECKING:
    from bot.knowledge import AnswerEngine

log = logging.getLogger(__name__)

PACK_BRANCHES = "pack_branches_sha256"
BRANCH_LIST_REPLACED = "branch_list_replaced_at"  # import-branches --replace: a real list
PACKAGED_CAMPAIGN = Path(__file__).resolve().parent.parent / "campaign"

# What a runtime does with the platforms that have credentials: nothing, send reminders
# on them, or serve people there too.
Platforms = Literal["none", "send", "serve"]


def campaign_dir(settings: Settings) -> Path:
    """The configured pack; the default falls back to the pack shipped with the code."""
    path = settings.campaign
    if not path.exists() and path == Path("campaign") and PACKAGED_CAMPAIGN.is_dir():
        return PACKAGED_CAMPAIGN
    return path


def make_clock(settings: Settings) -> Clock:
    return Clock(settings.zone, start=settings.now)


async def warn_if_sample(services: Services) -> None:
    """Say so while the branches are still the pack's sample list."""
    sample = services.campaign.info.branches.sample
    if sample and await services.store.deliveries.state_value(BRANCH_LIST_REPLACED) is None:
        log.warning("the branch list is sample data: replace it before the campaign")


async def import_branch_list(
    services: Services, branches: Sequence[Branch], replace: bool
) -> tuple[int, int, int]:
    """Add or update these branches (`replace`: the union's whole list, retiring those not
    on it, and the pack's sample is gone). Gives how many were new, updated and retired."""
    now = services.clock.now()
    added, updated, retired = await services.store.branches.import_list(branches, replace, now)
    if replace:
        await services.store.deliveries.set_state_value(BRANCH_LIST_REPLACED, now.isoformat())
    return added, updated, retired


def must_exist(settings: Settings) -> None:
    """For commands that only read the store: an SQLite file not there yet is an error,
    not a new empty store (a cron job run from the wrong folder, say)."""
    url = make_url(settings.database_url)
    database = url.database or ""
    fresh = database not in ("", ":memory:") and not Path(database).exists()
    if url.get_backend_name() == "sqlite" and fresh:
        raise StartupError(
            f"there is no store at {database}: run from the folder holding .env, or "
            "check MOBILISE_DATABASE_URL (or --db)"
        )


def must_be_writable(settings: Settings) -> None:
    """For processes that write (serving, sending): an SQLite file, or its folder, that
    cannot be written is an error at start, naming the file, not a failure at the first
    write."""
    url = make_url(settings.database_url)
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return
    path = Path(database)
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        problem = "the file is read-only"
    elif folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
        problem = "its folder is read-only (SQLite writes its journal beside the file)"
    else:
        return
    raise StartupError(
        f"the store {database} cannot be written: {problem}. Make it writable for this "
        "user, or check MOBILISE_DATABASE_URL (or --db)"
    )


@asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    campaign: Campaign | None = None,
    create: bool = True,
    answers: bool = True,
) -> AsyncIterator[Services]:
    """The bot's services. `answers=False`: the answer engine is built only if a command
    asks for it (a process that only sends or exports never needs the sentence model)."""
    if not create:
        must_exist(settings)
    pack = campaign_dir(settings)
    campaign = campaign or load_campaign(pack)
    clock = clock or make_clock(settings)
    store = await Store.open(settings.database_url)
    shown = make_url(settings.database_url).render_as_string(hide_password=True)
    log.info("store: %s; campaign pack: %s", shown, pack.resolve())
    try:
        # The pack's branch list is applied when it changes, so a list imported since
        # (mobilise import-branches) is not overwritten at every start.
        listed = hashlib.sha256(repr(campaign.branches).encode()).hexdigest()
        if await store.deliveries.state_value(PACK_BRANCHES) != listed:
            await store.branches.sync(campaign.branches, clock.now())
            await store.deliveries.set_state_value(PACK_BRANCHES, listed)
        branches = BranchDirectory(await store.branches.active(), await store.branches.retired())
        learned = [
            LearnedAnswer(a.id, a.question, a.answer) for a in await store.questions.answers()
        ]
        loaded = campaign

        def make_answers() -> AnswerEngine:
            # Imported here: the engine's libraries stay off the path to the first reply.
            from bot.knowledge import AnswerEngine

            return AnswerEngine(loaded, learned)

        services = Services(
            settings=settings,
            campaign=campaign,
            store=store,
            clock=clock,
            branches=branches,
            make_answers=make_answers,
            commands=registry(),
        )
        # The reminders as planned, for the Home view and /reminders; the processes that
        # send them ask the runtime for theirs (`Runtime.reminders`).
        services.reminders = Deliverer(services, {})
        if answers:
            _ = services.answers  # built now, not at the first question
        # Everything built so far lives as long as the bot: keep the garbage collector
        # from scanning it again and again (long pauses under load otherwise).
        gc.collect()
        gc.freeze()
        yield services
    finally:
        await store.close()


@dataclass(frozen=True)
class HttpOptions:
    """Serve Slack over HTTP at /slack/events instead of Socket Mode."""

    host: str = "127.0.0.1"
    port: int = 3000


@dataclass
class Runtime:
    services: Services
    dispatcher: Dispatcher
    adapters: dict[str, Adapter] = field(default_factory=dict)

    @property
    def senders(self) -> dict[str, Sender]:
        return dict(self.adapters)

    def reminders(
        self,
        senders: Mapping[str, Sender] | None = None,
        lease: Lease | None = None,
        *,
        charts: bool = True,
    ) -> Deliverer:
        """The campaign's reminders, sent on this runtime's platforms (or on `senders`)
        while `lease` is held; with neither, only planned."""
        chosen = self.senders if senders is None else senders
        return Deliverer(self.services, chosen, lease, charts=charts)


@asynccontextmanager
async def open_runtime(
    settings: Settings,
    *,
    platforms: Platforms = "none",
    http: HttpOptions | None = None,
    clock: Clock | None = None,
    campaign: Campaign | None = None,
    create: bool = True,
    answers: bool = True,
) -> AsyncIterator[Runtime]:
    """Services, the dispatcher, and an adapter for each platform with credentials."""
    must_be_writable(settings)
    async with AsyncExitStack() as stack:
        services = await stack.enter_async_context(
            open_services(
                settings,
                clock=clock,
                campaign=campaign,
                create=create,
                answers=answers and platforms == "none",
            )
        )
        # Past the purge date, every start (run, console, send-due from cron) purges
        # first; a bot restarted more often than the hourly check still purges.
        purged = await purge_if_due(services, by="start-up")
        if purged is not None:
            log.info("purged personal data after the purge date: %s", purged)
        runtime = Runtime(services, Dispatcher(services, registry()))
        if platforms != "none":
            adapters = _platform_adapters(runtime.dispatcher, settings, platforms, http)
            for adapter in adapters:  # a platform that refuses or is unreachable: at once
                await adapter.login()
            if answers:
                _ = services.answers  # built now, before anyone can ask
                gc.collect()  # and kept out of the collector's scans, as in open_services
                gc.freeze()
            for adapter in adapters:
                runtime.adapters[adapter.platform] = await stack.enter_async_context(adapter)
                services.outbox.attach(adapter)
        yield runtime


def _platform_adapters(
    dispatcher: Dispatcher, settings: Settings, platforms: Platforms, http: HttpOptions | None
) -> list[Adapter]:
    # Platform SDKs are imported only when their platform is switched on.
    serving = platforms == "serve"
    adapters: list[Adapter] = []
    if settings.has_slack:
        from bot.adapters.slack import SlackAdapter

        if not serving:
            mode: Literal["send", "socket", "http"] = "send"
        elif http is not None or settings.slack_app_token is None:
            mode = "http"
        else:
            mode = "socket"
        where = http or HttpOptions()
        adapters.append(SlackAdapter(dispatcher, settings, mode, where.host, where.port))
    if settings.has_discord:
        from bot.adapters.discord import DiscordAdapter

        adapters.append(DiscordAdapter(dispatcher, settings, serve=serving))
    return adapters
