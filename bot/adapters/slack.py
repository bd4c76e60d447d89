"""The Slack adapter: slash commands, modals, buttons, mentions and DMs on slack-bolt.

A Slack request becomes a call on the neutral adapter services, and the neutral reply
becomes Block Kit (`slack_blocks`). Listeners (`slack_listeners`) acknowledge first and do
the work after (bolt's lazy listeners), so nothing waits on the store or the answer
engine inside Slack's three seconds. One Web API client serves the app and the
reminders; it checks the bot token once, at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from typing import Any, Literal

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncRespond
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.base import AdapterServices, Fence, SendOutcome, Target
from bot.adapters.pacing import Fenced, fenced, fenced_requests, paced
from bot.adapters.slack_api import BOLT_LOG, OrganiserGroup, slack_client
from bot.adapters.slack_blocks import (
    PLATFORM,
    UNDELIVERABLE,
    CommandNames,
    render,
)
from bot.adapters.slack_board import SlackBoard
from bot.adapters.slack_home import SlackHome
from bot.adapters.slack_http import listener_failed, serve
from bot.adapters.slack_listeners import SlackListeners
from bot.adapters.slack_socket import socket_mode
from bot.campaign.domain import User
from bot.errors import STARTUP_SECONDS, StartupError, unreachable
from bot.runtime.messages import Reply
from bot.runtime.settings import Settings

log = logging.getLogger(__name__)

DELIVERY_EVENT = "mobilise_delivery"  # metadata event type carrying a reminder's key
HISTORY_LOOKBACK = 200  # latest messages searched for a reminder's key after a crash
Mode = Literal["send", "socket", "http"]


class SlackAdapter:
    """The bolt app and Web API client for one workspace, started as an async context.

    `mode` says what else runs while it is open: nothing but sending ("send"), Socket
    Mode ("socket"), or an HTTP endpoint at /slack/events ("http", on `host`:`port`).
    """

    platform = PLATFORM

    def __init__(
        self,
        services: AdapterServices,
        settings: Settings,
        mode: Mode = "send",
        host: str = "127.0.0.1",
        port: int = 3000,
    ):
        self.services = services
        self.settings = settings
        self.mode = mode
        self.host = host
        self.port = port
        self.names = CommandNames(services.commands, settings.command_prefix)
        self.client = slack_client(settings)
        self.sender = slack_client(settings)  # the same token, for reminders (`send`)
        self.limiter = paced(settings.slack_send_rate)
        secret = settings.slack_signing_secret
        self.app = AsyncApp(
            signing_secret=secret.get_secret_value() if secret else None,
            client=self.client,
            authorize=self._authorizer(),
            logger=BOLT_LOG,
            request_verification_enabled=secret is not None,
        )
        self._auth: AsyncSlackResponse | None = None
        self.organisers = OrganiserGroup(self.client, settings.slack_organiser_group)
        self._stack = AsyncExitStack()
        self.bound_port: int | None = None
        self.app.error(listener_failed)
        self.home = SlackHome(self)
        self.board = SlackBoard(self)
        self.listeners = SlackListeners(self, self.app, self.home)
        services.on_change(self.home.changed)
        if mode != "send":  # boards are kept by the process that serves people
            services.on_change(self.board.changed)

    # --- start and stop ---------------------------------------------------------------

    async def __aenter__(self) -> SlackAdapter:
        # Reminders go through one kept-alive HTTP session with the fence's trace hooks
        # (bolt copies each request with its client for lazy listeners: a session in
        # the client that serves people could not be copied).
        self.sender.session = aiohttp.ClientSession(trace_configs=[fenced_requests()])
        self._stack.push_async_callback(self.sender.session.close)
        try:
            await self.login()
            if self.mode == "socket":
                await self._stack.enter_async_context(self._socket_mode())
            elif self.mode == "http":
                await self._stack.enter_async_context(self._http_server())
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()  # no more requests, so nothing pokes a refresh again
        await self.home.close()
        await self.board.close()

    async def login(self) -> AsyncSlackResponse:
        """Check the bot token with Slack, once; the answer serves every request after."""
        if self._auth is None:
            try:
                async with asyncio.timeout(STARTUP_SECONDS):
                    self._auth = await self.client.auth_test()
            except SlackApiError as error:
                code = error.response.get("error", "error")
                raise StartupError(
                    f"Slack refused SLACK_BOT_TOKEN ({code}): check the bot token in .env"
                ) from None
            except (OSError, TimeoutError, aiohttp.ClientError) as error:
                raise StartupError(
                    f"cannot reach Slack at {self.client.base_url} ({unreachable(error)}): "
                    "check the network, or SLACK_API_URL"
                ) from None
        return self._auth

    def _authorizer(self) -> Callable[..., Awaitable[AuthorizeResult]]:
        """Bolt's authorize function: the one auth.test answer, for every request."""

        async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
            return AuthorizeResult.from_auth_test_response(
                auth_test_response=await self.login(), bot_token=self.client.token or ""
            )

        return authorize

    def _socket_mode(self) -> contextlib.AbstractAsyncContextManager[None]:
        token = self.settings.slack_app_token
        assert token is not None
        return socket_mode(self.app, token.get_secret_value())

    @contextlib.asynccontextmanager
    async def _http_server(self) -> Any:
        """Serve Slack's requests at POST /slack/events (`slack_http`)."""
        async with serve(self.app, self.settings, self.host, self.port):
            self.bound_port = self.port
            yield

    # --- who is who -------------------------------------------------------------------

    async def is_organiser(self, user_id: str) -> bool:
        if self.settings.is_organiser(PLATFORM, user_id):
            return True
        return await self.organisers.has(user_id)

    # --- sending ----------------------------------------------------------------------

    async def deliver(
        self,
        reply: Reply,
        user: User,
        channel_id: str,
        respond: AsyncRespond | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """Send a reply where it belongs: only to the caller, or to the channel."""
        text, blocks = render(reply, self.names)
        if reply.attachment is not None:
            await self._upload(reply, user)
        if respond is not None:
            await respond(
                text=text,
                blocks=blocks,
                response_type="ephemeral" if reply.ephemeral else "in_channel",
            )
        elif reply.ephemeral and not thread_ts and not channel_id.startswith("D"):
            await self.client.chat_postEphemeral(
                channel=channel_id, user=user.id, text=text, blocks=blocks
            )
        else:
            await self.client.chat_postMessage(
                channel=channel_id, text=text, blocks=blocks, thread_ts=thread_ts, mrkdwn=False
            )

    async def _upload(self, reply: Reply, user: User) -> None:
        assert reply.attachment is not None
        # Files go to the caller's DM: exports hold personal data.
        opened = await self.client.conversations_open(users=user.id)
        channel = opened["channel"]["id"]
        await self.client.files_upload_v2(
            channel=channel,
            filename=reply.attachment.filename,
            content=reply.attachment.content,
            title=reply.attachment.filename,
        )

    async def send(
        self, target: Target, reply: Reply, key: str, fence: Fence | None = None
    ) -> SendOutcome:
        """A reminder: paced below Slack's limits, fenced right before the call, 429s
        retried by slack-sdk while the fence holds, its key in the message's metadata so
        that a send cut short can be found again."""
        text, blocks = render(reply, self.names)
        async with self.limiter:
            if fence is not None and not await fence.enter():
                return SendOutcome("fenced")
            try:
                with fenced(fence):
                    sent = await self.sender.chat_postMessage(
                        channel=target.id,
                        text=text,
                        blocks=blocks,
                        mrkdwn=False,  # the notification text is shown as typed, too
                        metadata={"event_type": DELIVERY_EVENT, "event_payload": {"key": key}},
                    )
                if reply.attachment is not None:
                    await self.sender.files_upload_v2(
                        channel=str(sent.get("channel") or target.id),
                        filename=reply.attachment.filename,
                        content=reply.attachment.content,
                        title=reply.attachment.filename,
                    )
            except Fenced:
                return SendOutcome("fenced")
            except SlackApiError as error:
                code = str(error.response.get("error", "error"))
                if code in UNDELIVERABLE:
                    return SendOutcome("undeliverable", detail=code)
                if fence is not None and not fence.holds():
                    return SendOutcome("fenced", detail=code)  # a 429 not tried again
                return SendOutcome("failed", detail=code)
        return SendOutcome("sent", ref=str(sent.get("ts")))

    async def find_sent(self, target: Target, key: str) -> str | None:
        """The message with `key` in its metadata, among the conversation's latest.
        Raises if Slack cannot be asked (429s beyond slack-sdk's retries, each after
        Slack's Retry-After): the message is then not sent again until it can be."""
        channel = target.id
        if target.kind == "user":
            opened = await self.sender.conversations_open(users=target.id)
            channel = str(opened["channel"]["id"])
        found = await self.sender.conversations_history(
            channel=channel, limit=HISTORY_LOOKBACK, include_all_metadata=True
        )
        for message in found.get("messages") or ():
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == DELIVERY_EVENT and payload.get("key") == key:
                return str(message.get("ts"))
        return None
