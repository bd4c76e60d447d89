"""Slack's Socket Mode: connecting with backoff, one log line per failed attempt, and a
refused app token said plainly."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError

from bot.adapters.slack_api import BOLT_LOG
from bot.errors import STARTUP_SECONDS, StartupError, unreachable

log = logging.getLogger(__name__)

SOCKET_BACKOFF_MAX = 60.0  # seconds between attempts to reach Socket Mode, at most


@contextlib.asynccontextmanager
async def socket_mode(app: AsyncApp, token: str) -> AsyncIterator[None]:
    """Serve `app` over Socket Mode while open."""
    from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

    sdk_log = _SocketLog()
    handler = AsyncSocketModeHandler(app, token, logger=sdk_log)
    try:
        await _connect(handler, sdk_log)
        log.info("connected to Slack in Socket Mode")
        yield
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]


class _NotConnected(Exception):
    """A Socket Mode connection attempt failed (the SDK would log it and try again)."""


class _SocketLog(logging.Logger):
    """The Socket Mode client's logger. While the bot connects, a failed attempt is
    raised (the SDK would otherwise retry it forever, every ten seconds, with a
    traceback each time) so that `_connect` retries with backoff; once connected, the
    SDK's own failures are one line each, without the traceback."""

    def __init__(self) -> None:
        super().__init__("mobilise.slack.socket", logging.WARNING)
        self.parent = BOLT_LOG
        self.connecting = True

    def error(self, msg: object, *args: object, **kwargs: Any) -> None:
        if not self.connecting:  # while connecting, `_connect` says it in its own line
            super().error(msg, *args, **kwargs)

    def exception(self, msg: object, *args: object, **kwargs: Any) -> None:
        if self.connecting:
            raise _NotConnected(str(msg))
        kwargs["exc_info"] = False
        self.error(msg, *args, **kwargs)


async def _connect(handler: Any, sdk_log: _SocketLog) -> None:
    """Connect to Slack's Socket Mode websocket, trying again with backoff (one log line
    per attempt) until it answers; a refused app token stops the bot."""
    client = handler.client
    delay = 1.0
    for attempt in itertools.count(1):
        client.wss_uri = None  # a fresh address from apps.connections.open each time
        try:
            async with asyncio.timeout(STARTUP_SECONDS):
                await handler.connect_async()
            sdk_log.connecting = False
            return
        except (_NotConnected, TimeoutError) as error:
            refused = error.__context__
            if isinstance(refused, SlackApiError) and refused.response.get("error") in (
                "invalid_auth",
                "not_authed",
                "not_allowed_token_type",
                "account_inactive",
            ):
                code = refused.response.get("error")
                raise StartupError(
                    f"Slack refused SLACK_APP_TOKEN ({code}): check the app-level token "
                    "in .env (xapp-..., with connections:write)"
                ) from None
            reason = unreachable(refused if refused is not None else error)
            log.warning(
                "cannot reach Slack's Socket Mode websocket (attempt %d: %s); trying again in %g s",
                attempt,
                reason,
                delay,
            )
        await asyncio.sleep(delay)
        delay = min(delay * 2, SOCKET_BACKOFF_MAX)
