"""Running the bot: the terminal chat, or Slack and Discord together on one store.

`serve` owns start-up and shutdown: the services, the scheduler and each adapter start
inside one `async with` and stop, in reverse, when the process is told to stop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from bot.app import open_services
from bot.dispatch import Dispatcher
from bot.senders import open_senders
from bot.services import Services
from bot.settings import Settings
from schedules.delivery import Deliverer
from schedules.scheduler import reminders

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    slack_http: bool = False
    reminders_only: bool = False
    host: str = "0.0.0.0"  # noqa: S104 - a server listens on every interface by default
    port: int = 3000


@asynccontextmanager
async def slack_http_server(
    dispatcher: Dispatcher, settings: Settings, host: str, port: int
) -> AsyncIterator[int]:
    """Serve Slack's requests at POST /slack/events; yields the bound port."""
    from aiohttp import web
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    from bot.adapters.slack import SlackAdapter

    adapter = SlackAdapter(dispatcher, settings)

    async def events(request: web.Request) -> web.Response:
        bolt_request = await to_bolt_request(request)
        return await to_aiohttp_response(await adapter.app.async_dispatch(bolt_request))

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application()
    web_app.router.add_post("/slack/events", events)
    web_app.router.add_get("/health", health)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1] if runner.addresses else port
    log.info("Slack events served on http://%s:%s/slack/events", host, bound)
    try:
        yield bound
    finally:
        await runner.cleanup()


@asynccontextmanager
async def slack_socket_mode(dispatcher: Dispatcher, settings: Settings) -> AsyncIterator[None]:
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    from bot.adapters.slack import SlackAdapter

    assert settings.slack_app_token is not None
    adapter = SlackAdapter(dispatcher, settings)
    handler = AsyncSocketModeHandler(adapter.app, settings.slack_app_token.get_secret_value())
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("connected to Slack in Socket Mode")
    try:
        yield
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


async def _platforms(
    stack: AsyncExitStack, services: Services, settings: Settings, options: RunOptions
) -> list[str]:
    dispatcher = Dispatcher(services)
    started = []
    if settings.has_slack:
        if options.slack_http or settings.slack_app_token is None:
            await stack.enter_async_context(
                slack_http_server(dispatcher, settings, options.host, options.port)
            )
            started.append("slack-http")
        else:
            await stack.enter_async_context(slack_socket_mode(dispatcher, settings))
            started.append("slack-socket")
    if settings.has_discord:
        from bot.adapters.discord import discord_bot

        await stack.enter_async_context(discord_bot(dispatcher, settings))
        started.append("discord")
    return started


async def serve(settings: Settings, options: RunOptions) -> int:
    """Run the platforms configured in `settings` until the process is stopped."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    async with open_services(settings) as services, AsyncExitStack() as stack:
        started = (
            [] if options.reminders_only else await _platforms(stack, services, settings, options)
        )
        senders = await stack.enter_async_context(open_senders(settings))
        await stack.enter_async_context(
            reminders(
                Deliverer(services, senders),
                every=settings.sweep_seconds,
                poll=settings.leader_poll_seconds,
            )
        )
        log.info("running: %s", ", ".join([*started, "reminders"]))
        await stop.wait()
        log.info("stopping")
    return 0


async def console_with_reminders(settings: Settings, name: str, organiser: bool) -> int:
    """The terminal chat, with reminders for console users shown as they fall due."""
    from bot.console import Console, ConsoleSender

    async with open_services(settings) as services:
        console = Console(Dispatcher(services), name, organiser)
        deliverer = Deliverer(services, {"console": ConsoleSender(console)})
        async with reminders(
            deliverer, every=settings.sweep_seconds, poll=settings.leader_poll_seconds
        ):
            await console.run()
    return 0
