"""Serving the dashboard (`mobilise run` with MOBILISE_DASHBOARD_PORT set).

aiohttp's own server, held to the Slack endpoint's limits: the same port check and
backlog; connections open at once capped and each given the header timeout for its
headers (`bot.dashboard.guard`, with the same settings); request lines and headers
capped in size; bodies capped (nothing here takes one but the sign-in and sign-out
buttons' small forms); idle keep-alive connections closed after the header timeout; no
access log (a path may hold a sign-in link); and errors logged as where they were
raised, never what was asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.adapters.slack_http import BACKLOG, port_free
from bot.dashboard.app import make_app
from bot.dashboard.guard import Guard
from bot.errors import StartupError
from bot.runtime.services import Services
from bot.runtime.signin import base_url, signing_key

log = logging.getLogger(__name__)

MAX_LINE = 8190  # a request line: paths and queries here are short
MAX_FIELD = 8190  # one header
SHUTDOWN_SECONDS = 3.0


@contextlib.asynccontextmanager
async def serve_dashboard(services: Services) -> AsyncIterator[str]:
    """Serve the dashboard until the context ends; gives its address."""
    settings = services.settings
    port = settings.dashboard_port
    if port is None:
        raise StartupError("the dashboard needs MOBILISE_DASHBOARD_PORT")
    host = settings.dashboard_host
    if not port_free(host, port):
        raise StartupError(
            f"port {port} on {host} is in use: choose another MOBILISE_DASHBOARD_PORT"
        )
    key = await signing_key(settings, services.store)
    address = base_url(settings) or f"http://{host}:{port}"
    app = make_app(services, key, secure_cookie=address.startswith("https://"))
    runner = web.AppRunner(
        app,
        access_log=None,
        handle_signals=False,
        keepalive_timeout=settings.http_header_timeout,
        shutdown_timeout=SHUTDOWN_SECONDS,
        max_line_size=MAX_LINE,
        max_field_size=MAX_FIELD,
    )
    await runner.setup()
    assert runner.server is not None
    guard = Guard(settings.http_max_connections, settings.http_header_timeout)
    listening: asyncio.Server | None = None
    try:
        try:
            listening = await asyncio.get_running_loop().create_server(
                guard.protocol(runner.server), host, port, backlog=BACKLOG, reuse_address=True
            )
        except OSError as error:
            raise StartupError(
                f"could not serve the dashboard on {host}:{port} ({error.strerror}): choose "
                "another MOBILISE_DASHBOARD_PORT"
            ) from None
        log.info(
            "dashboard served on http://%s:%s (links say %s; at most %d connections, "
            "headers within %ss)",
            host,
            port,
            address,
            guard.max_connections,
            guard.header_timeout,
        )
        yield address
    finally:
        if listening is not None:
            listening.close()
        await runner.cleanup()
        if listening is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(listening.wait_closed(), SHUTDOWN_SECONDS)
