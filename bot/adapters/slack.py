"""The Slack adapter: slash commands, modals, buttons, mentions and DMs on slack-bolt.

A Slack request becomes a call on the neutral adapter services, and the neutral reply
becomes Block Kit (`slack_blocks`). Listeners acknowledge first and do the work after
(bolt's lazy listeners), so nothing waits on the store or the answer engine inside
Slack's three seconds. One Web API client serves the app and the reminders; it checks
the bot token once, at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import logging
import re
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from typing import Any, Literal

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.adapters.base import AdapterServices, Fence, SendOutcome, Target
from bot.adapters.pacing import Fenced, fenced, fenced_requests, paced
from bot.adapters.slack_api import BOLT_LOG, OrganiserGroup, slack_client
from bot.adapters.slack_blocks import (
    ACTION_PREFIX,
    FORM_PREFIX,
    PLATFORM,
    UNDELIVERABLE,
    CommandNames,
    form_values,
    form_view,
    parse_button_value,
    render,
    request_key,
    user_from,
)
from bot.adapters.slack_board import SlackBoard
from bot.adapters.slack_checks import names_no_action
from bot.adapters.slack_home import SlackHome
from bot.adapters.slack_http import listener_failed, serve
from bot.campaign.domain import User
from bot.errors import STARTUP_SECONDS, StartupError, unreachable
from bot.runtime.messages import NOT_SAVED, Channel, Reply
from bot.runtime.settings import Settings
from commands.spec import Command, OptionType

log = logging.getLogger(__name__)

DELIVERY_EVENT = "mobilise_delivery"  # metadata event type carrying a reminder's key
HISTORY_LOOKBACK = 200  # latest messages searched for a reminder's key after a crash
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
Mode = Literal["send", "socket", "http"]
SOCKET_BACKOFF_MAX = 60.0  # seconds between attempts to reach Socket Mode, at most


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
        self._ignore_empty_presses()
        self.home = SlackHome(self)
        self.board = SlackBoard(self)
        services.on_change(self.home.changed)
        if mode != "send":  # boards are kept by the process that serves people
            services.on_change(self.board.changed)
        self._register()

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

    @contextlib.asynccontextmanager
    async def _socket_mode(self) -> Any:
        from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

        token = self.settings.slack_app_token
        assert token is not None
        sdk_log = _SocketLog()
        handler = AsyncSocketModeHandler(self.app, token.get_secret_value(), logger=sdk_log)
        try:
            await _connect(handler, sdk_log)
            log.info("connected to Slack in Socket Mode")
            yield
        finally:
            await handler.close_async()  # type: ignore[no-untyped-call]

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

    # --- listeners --------------------------------------------------------------------

    def _register(self) -> None:
        self.app.middleware(self._keyed())
        commands = self.services.commands
        for command in commands:
            self.app.command(self.names.slash(command.name))(
                ack=_ack_quietly, lazy=[self._once(self._command_handler(command))]
            )
        for command in commands.everything():  # forms open from buttons too
            self.app.view(f"{FORM_PREFIX}{command.name}")(self._form_handler(command))
        self.app.action(re.compile(f"^{re.escape(ACTION_PREFIX)}"))(
            ack=_ack_quietly, lazy=[self._once(self._on_button)]
        )
        for option_name in {
            o.name for c in commands for o in c.options if o.type is OptionType.BRANCH
        }:
            self.app.options(option_name)(self._on_branch_search)
        self.app.event("app_home_opened")(ack=_ack_quietly, lazy=[self._once(self.home.on_opened)])
        self.app.event("app_mention")(ack=_ack_quietly, lazy=[self._once(self._on_mention)])
        self.app.event("message")(ack=_ack_quietly, lazy=[self._once(self._on_message)])

    def _ignore_empty_presses(self) -> None:
        """Every request, over HTTP or Socket Mode, passes through the app's dispatch:
        a press naming no action is acknowledged there and goes no further (bolt would
        fail reading it before any middleware of ours ran)."""
        dispatch = self.app.async_dispatch

        async def guarded(req: AsyncBoltRequest) -> BoltResponse:
            if isinstance(req.body, dict) and names_no_action(req.body):
                log.info("ignored a button press that names no action")
                return BoltResponse(status=200, body="")
            return await dispatch(req)

        self.app.async_dispatch = guarded  # type: ignore[method-assign]

    def _keyed(self) -> Callable[..., Awaitable[BoltResponse]]:
        """Bolt middleware: note the request's identity (`request_key`) for `_once`.
        Nothing here waits on the store, so the acknowledgement never does."""

        async def keyed(
            req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[BoltResponse]]
        ) -> BoltResponse:
            key = request_key(req.body)
            if key is not None:
                req.context["mobilise_request_key"] = key
            return await next()

        return keyed

    def _once(self, handler: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """A lazy listener (run after the acknowledgement) that does its work once per
        request: a request seen before (Slack retrying an event, a replayed command or
        press, even signed anew) is not handled again."""
        wanted = list(inspect.signature(handler).parameters)

        async def once(
            body: dict[str, Any],
            context: AsyncBoltContext,
            respond: AsyncRespond | None,
            client: AsyncWebClient,
            action: dict[str, Any] | None,
            event: dict[str, Any] | None,
        ) -> None:
            if not await self._first_time(context, body, respond, event):
                return
            given = {
                "body": body,
                "respond": respond,
                "client": client,
                "action": action,
                "event": event,
            }
            await handler(**{name: given[name] for name in wanted})

        once.__name__ = f"once_{getattr(handler, '__name__', 'handler')}"
        return once

    async def _first_time(
        self,
        context: AsyncBoltContext,
        body: dict[str, Any],
        respond: AsyncRespond | None = None,
        event: dict[str, Any] | None = None,
    ) -> bool:
        """Whether this request is new; recorded now, after the acknowledgement, however
        long the store takes. If it cannot be recorded, the person is told that nothing
        was, and to try again."""
        key = context.get("mobilise_request_key")
        if not isinstance(key, str):
            return True
        try:
            if await self.services.first_time(key):
                return True
        except Exception as error:
            log.warning("could not record a Slack request: %s", type(error).__name__)
            await self._not_saved(body, respond, event)
            return False
        log.info("a request seen before was not handled again")
        return False

    async def _not_saved(
        self,
        body: dict[str, Any],
        respond: AsyncRespond | None,
        event: dict[str, Any] | None,
    ) -> None:
        reply = Reply.error(NOT_SAVED)
        text, blocks = render(reply, self.names)
        with contextlib.suppress(Exception):  # the store is away; Slack may be too
            if respond is not None:
                await respond(text=text, blocks=blocks, response_type="ephemeral")
            elif (
                event is not None
                and event.get("channel")
                and event.get("type") != "app_home_opened"
            ):
                await self.client.chat_postMessage(
                    channel=str(event["channel"]), text=text, blocks=blocks, mrkdwn=False
                )
            elif body.get("type") == "view_submission":
                await self.client.chat_postMessage(
                    channel=user_from(body).id, text=text, blocks=blocks, mrkdwn=False
                )

    def _command_handler(self, command: Command) -> Callable[..., Awaitable[None]]:
        async def handle(
            body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
        ) -> None:
            user = user_from(body)
            channel_id = str(body.get("channel_id", ""))
            text = str(body.get("text") or "").strip()
            if not text and command.form and body.get("trigger_id"):
                await client.views_open(
                    trigger_id=body["trigger_id"],
                    view=form_view(command, channel_id, names=self.names),
                )
                return
            organiser = await self.is_organiser(user.id)
            line = f"/{command.name} {text}".strip()
            channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
            reply = await self.services.run_line(line, user, channel, organiser)
            await self.deliver(reply, user, channel_id, respond=respond)

        return handle

    def _form_handler(self, command: Command) -> Callable[..., Awaitable[None]]:
        async def handle(
            ack: AsyncAck, body: dict[str, Any], view: dict[str, Any], context: AsyncBoltContext
        ) -> None:
            user = user_from(body)
            raw = form_values(command, view)
            problems = {
                f"opt:{option.name}": problem[:150]
                for option in command.options
                if (
                    problem := self.services.check_option(
                        command.name, option.name, raw.get(option.name)
                    )
                )
            }
            if problems:
                await ack(response_action="errors", errors=problems)
                return
            await ack()
            if not await self._first_time(context, body):
                return
            metadata = json.loads(view.get("private_metadata") or "{}")
            channel_id = str(metadata.get("channel") or user.id)
            organiser = await self.is_organiser(user.id)
            channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
            reply = await self.services.run(command.name, raw, user, channel, organiser)
            await self.deliver(reply, user, channel_id)

        return handle

    async def _on_button(
        self, body: dict[str, Any], respond: AsyncRespond, action: dict[str, Any]
    ) -> None:
        user = user_from(body)
        channel_id = str((body.get("channel") or {}).get("id") or user.id)
        try:
            chosen = (action.get("selected_option") or {}).get("value")  # from a menu
            button = parse_button_value(str(chosen or action.get("value", "")))
        except (ValueError, TypeError):
            log.info("ignored a button that is not ours")
            return
        if await self.home.pressed(body, user, button):  # on the Home tab
            return
        organiser = await self.is_organiser(user.id)
        channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
        reply = await self.services.press(button, user, channel, organiser)
        await self.deliver(reply, user, channel_id, respond=respond)

    async def _on_branch_search(self, ack: AsyncAck, payload: dict[str, Any]) -> None:
        query = str(payload.get("value") or "")[:100]
        found = self.services.search_branches(query, 50)
        await ack(
            options=[
                {"text": {"type": "plain_text", "text": b.name[:75]}, "value": b.code}
                for b in found
            ]
        )

    async def _on_mention(self, event: dict[str, Any]) -> None:
        text = _MENTION.sub("", str(event.get("text") or "")).strip()
        await self._answer_message(event, text, thread_ts=event.get("thread_ts") or event.get("ts"))

    async def _on_message(self, event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype"):
            return
        await self._answer_message(event, str(event.get("text") or "").strip(), None)

    async def _answer_message(
        self, event: dict[str, Any], text: str, thread_ts: str | None
    ) -> None:
        if not text:
            return
        user = User(PLATFORM, str(event.get("user", "")), str(event.get("user", "")))
        channel_id = str(event.get("channel", ""))
        channel = Channel(channel_id, is_direct=event.get("channel_type") == "im")
        organiser = await self.is_organiser(user.id)
        reply = await self.services.run_line(text, user, channel, organiser)
        public = replace(reply, ephemeral=False)  # a message is answered where it was asked
        await self.deliver(public, user, channel_id, thread_ts=thread_ts)


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


async def _ack_quietly(ack: AsyncAck) -> None:
    await ack()
