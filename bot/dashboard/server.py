"""Serving the dashboard (`mobilise run` with MOBILISE_DASHBOARD_PORT set).

aiohttp's own server, held to the Slack endpoint's limits where aiohttp has them: the
same port check and backlog, request lines and headers capped, bodies capped
(nothing here takes one), idle keep-alive connections closed after the header timeout,
no access log (a path may hold a sign-in link), and errors logged as where they were
raised, never what was asked.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.adapters.slack_http import BACKLOG, port_free
from bot.dashboard.app import make_app
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
    try:
        site = web.TCPSite(runner, host, port, backlog=BACKLOG)
        try:
            await site.start()
        except OSError as error:
            raise StartupError(
                f"could not serve the dashboard on {host}:{port} ({error.strerror}): choose "
                "another MOBILISE_DASHBOARD_PORT"
            ) from None
        log.info("dashboard served on http://%s:%s (links say %s)", host, port, address)
        yield address
    finally:
        await runner.cleanup()
