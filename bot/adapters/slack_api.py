"""Slack's Web API for the bot: the one client (with 429s retried), who is an organiser
by membership of a Slack user group, and what the adapter's parts use of it (`SlackParts`)."""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Protocol

from aiolimiter import AsyncLimiter
from slack_bolt.async_app import AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.base import AdapterServices
from bot.adapters.pacing import still_held
from bot.adapters.slack_blocks import CommandNames
from bot.campaign.domain import User
from bot.runtime.messages import Reply
from bot.runtime.settings import Settings

log = logging.getLogger(__name__)


class SlackParts(Protocol):
    """What the Home tab, the boards and the listeners use of the adapter that runs them
    (`bot.adapters.slack.SlackAdapter`), which they are parts of."""

    @property
    def services(self) -> AdapterServices: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def names(self) -> CommandNames: ...

    @property
    def client(self) -> AsyncWebClient: ...

    @property
    def limiter(self) -> AsyncLimiter: ...

    async def is_organiser(self, user_id: str) -> bool: ...

    async def deliver(
        self,
        reply: Reply,
        user: User,
        channel_id: str,
        respond: AsyncRespond | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """Send a reply where it belongs: only to the caller, or to the channel."""
        ...


class _NoTokenNotices(logging.Filter):
    """Bolt notices that the token in the environment is unused: by design, as the one
    client (with its token) and the authorize function are handed to it."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        return not text.startswith(("As you gave `client`", "As `installation_store`"))


BOLT_LOG = logging.getLogger("mobilise.slack")  # the bolt app's logger
BOLT_LOG.addFilter(_NoTokenNotices())

GROUP_CACHE_SECONDS = 300


class FencedRateLimitRetries(AsyncRateLimitErrorRetryHandler):
    """429s tried again after Slack's Retry-After, unless the call is a fenced send whose
    fence no longer holds after the wait (`bot.adapters.pacing`)."""

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        await super().prepare_for_next_attempt_async(
            state=state, request=request, response=response, error=error
        )
        if not still_held():
            state.next_attempt_requested = False


def slack_client(settings: Settings) -> AsyncWebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    args: dict[str, Any] = {
        "token": token,
        "retry_handlers": [FencedRateLimitRetries(max_retry_count=5)],
    }
    if settings.slack_api_url:
        args["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(**args)


class OrganiserGroup:
    """The members of the organisers' user group (a handle or an id), read at most every
    few minutes."""

    def __init__(self, client: AsyncWebClient, group: str | None):
        self.client = client
        self.group = group
        self.members: frozenset[str] = frozenset()
        self.fetched = 0.0

    async def has(self, user_id: str) -> bool:
        if not self.group:
            return False
        if time.monotonic() - self.fetched > GROUP_CACHE_SECONDS:
            try:
                group_id = await self._group_id(self.group)
                found = await self.client.usergroups_users_list(usergroup=group_id)
            except Exception as error:
                log.warning(
                    "could not read the organisers' Slack user group: %s", type(error).__name__
                )
                return False
            self.members = frozenset(found.get("users") or ())
            self.fetched = time.monotonic()
        return user_id in self.members

    async def _group_id(self, group: str) -> str:
        if re.fullmatch(r"S[A-Z0-9]+", group):
            return group
        listing = await self.client.usergroups_list()
        for item in listing.get("usergroups") or ():
            if group.lstrip("@") in (item.get("handle"), item.get("name")):
                return str(item["id"])
        raise LookupError(group)
