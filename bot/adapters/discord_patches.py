"""Every place the Discord adapter reaches into discord.py beyond its public API, kept
here so that what depends on its insides is in one module (tests/test_discord_patches.py
fails if discord.py renames or reshapes any of it):

- a quieter log (a filter on discord.py's logger);
- fewer scans of the rate-limit buckets (`HTTPClient._try_clear_expired_ratelimits`);
- a Discord-compatible base URL (the tests' fake) for one client's REST calls, its
  interaction responses and its gateway (`HTTPClient.request`, `HTTPClient.ws_connect`,
  `async_context`): discord.py has no option for another API address;
- application commands whose options are data, not a Python signature: the callback's
  `__signature__` (which `inspect.signature`, and so discord.py, reads) is set.

discord.py's public options are used for the rest: `http_trace` for the fence before each
request, `allowed_mentions`, and `Client.setup_hook` overridden in a subclass.
"""

from __future__ import annotations

import contextvars
import inspect
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from discord.gateway import DiscordWebSocket
from discord.http import HTTPClient, Route
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

BUCKET_SCAN_SECONDS = 60.0  # how often discord.py may look for idle rate-limit buckets


class _NoVoiceNotice(logging.Filter):
    """The bot never speaks: drop discord.py's notice that voice is unavailable."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


logging.getLogger("discord.client").addFilter(_NoVoiceNotice())


def rebase_route(route: Route, base: str) -> None:
    if route.url.startswith(Route.BASE):
        route.url = base + route.url[len(Route.BASE) :]


def scan_buckets_less_often(http: Any, every: float = BUCKET_SCAN_SECONDS) -> None:
    """discord.py keeps a rate-limit bucket per route and, once it has 256, scans them all
    for idle ones each time it makes a new one. A broadcast opens a DM channel, and so a
    bucket, per volunteer: 10,000 of them cost 50 million checks. Scan at most every
    `every` seconds instead; a bucket is idle only after five minutes anyway."""
    scan = http._try_clear_expired_ratelimits
    last = float("-inf")

    def now_and_then() -> None:
        nonlocal last
        if time.monotonic() - last >= every:
            last = time.monotonic()
            scan()

    http._try_clear_expired_ratelimits = now_and_then


class RebasedWebhooks(AsyncWebhookAdapter):
    """Interaction responses and follow-ups, sent to `base` instead of discord.com."""

    def __init__(self, base: str):
        super().__init__()  # type: ignore[no-untyped-call]
        self.base = base

    async def request(self, route: Route, *args: Any, **kwargs: Any) -> Any:
        rebase_route(route, self.base)
        return await super().request(route, *args, **kwargs)


def rebase(http: HTTPClient, base: str, context: contextvars.Context) -> None:
    """Send this client's REST calls to `base`, and the interaction responses made in
    `context` (where the client's gateway events are handled)."""
    request = http.request

    async def rebased(route: Route, **kwargs: Any) -> Any:
        rebase_route(route, base)
        return await request(route, **kwargs)

    http.request = rebased  # type: ignore[method-assign]
    context.run(async_context.set, RebasedWebhooks(base))


async def rebase_gateway(http: HTTPClient) -> None:
    """Connect to the gateway that the API at the base URL names (GET /gateway/bot)."""
    _, named, _ = await http.get_bot_gateway()
    gateway = named.split("?")[0].rstrip("/")
    default = str(DiscordWebSocket.DEFAULT_GATEWAY).rstrip("/")
    ws_connect = http.ws_connect

    async def rebased(url: str, **kwargs: Any) -> Any:
        if url.startswith(default):
            url = gateway + url[len(default) :].lstrip("/")
        return await ws_connect(url, **kwargs)

    http.ws_connect = rebased  # type: ignore[method-assign]


def with_parameters(
    callback: Callable[..., Any], parameters: Sequence[inspect.Parameter]
) -> Callable[..., Any]:
    """`callback` (which takes `**values`) as if its signature named `parameters`: what
    discord.py reads to declare an application command's options."""
    callback.__signature__ = inspect.Signature(list(parameters))  # type: ignore[attr-defined]
    return callback
