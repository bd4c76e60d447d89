"""Where the Discord adapter reaches into discord.py: a quieter log, fewer scans of the
rate-limit buckets, and interaction responses sent to a Discord-compatible base URL (the
tests' fake). Kept apart from the adapter, so that what depends on discord.py's insides
is in one place.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from discord.http import Route
from discord.webhook.async_ import AsyncWebhookAdapter

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
