"""What the Slack adapter listens for: slash commands, form submissions, button presses,
branch searches, mentions and direct messages, each acknowledged first and handled once
(bolt's lazy listeners, and a request key remembered in the store)."""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack_api import SlackParts
from bot.adapters.slack_blocks import (
    ACTION_PREFIX,
    FORM_PREFIX,
    PLATFORM,
    form_values,
    form_view,
    parse_button_value,
    render,
    request_key,
    user_from,
)
from bot.adapters.slack_checks import names_no_action
from bot.adapters.slack_home import SlackHome
from bot.campaign.domain import User
from bot.runtime.messages import NOT_SAVED, Channel, Reply
from commands.spec import Command, OptionType

log = logging.getLogger(__name__)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")


class SlackListeners:
    """Registers the bolt app's listeners for one adapter, and handles what they hear."""

    def __init__(self, adapter: SlackParts, app: AsyncApp, home: SlackHome):
        self.adapter = adapter
        self.app = app
        self.home = home
        self._ignore_empty_presses()
        self._register()

    def _register(self) -> None:
        self.app.middleware(self._keyed())
        commands = self.adapter.services.commands
        for command in commands:
            self.app.command(self.adapter.names.slash(command.name))(
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
            if await self.adapter.services.first_time(key):
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
        text, blocks = render(reply, self.adapter.names)
        with contextlib.suppress(Exception):  # the store is away; Slack may be too
            if respond is not None:
                await respond(text=text, blocks=blocks, response_type="ephemeral")
            elif (
                event is not None
                and event.get("channel")
                and event.get("type") != "app_home_opened"
            ):
                await self.adapter.client.chat_postMessage(
                    channel=str(event["channel"]), text=text, blocks=blocks, mrkdwn=False
                )
            elif body.get("type") == "view_submission":
                await self.adapter.client.chat_postMessage(
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
                    view=form_view(command, channel_id, names=self.adapter.names),
                )
                return
            organiser = await self.adapter.is_organiser(user.id)
            line = f"/{command.name} {text}".strip()
            channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
            reply = await self.adapter.services.run_line(line, user, channel, organiser)
            await self.adapter.deliver(reply, user, channel_id, respond=respond)

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
                    problem := self.adapter.services.check_option(
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
            organiser = await self.adapter.is_organiser(user.id)
            channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
            reply = await self.adapter.services.run(command.name, raw, user, channel, organiser)
            await self.adapter.deliver(reply, user, channel_id)

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
        organiser = await self.adapter.is_organiser(user.id)
        channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
        reply = await self.adapter.services.press(button, user, channel, organiser)
        await self.adapter.deliver(reply, user, channel_id, respond=respond)

    async def _on_branch_search(self, ack: AsyncAck, payload: dict[str, Any]) -> None:
        query = str(payload.get("value") or "")[:100]
        found = self.adapter.services.search_branches(query, 50)
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
        organiser = await self.adapter.is_organiser(user.id)
        reply = await self.adapter.services.run_line(text, user, channel, organiser)
        public = replace(reply, ephemeral=False)  # a message is answered where it was asked
        await self.adapter.deliver(public, user, channel_id, thread_ts=thread_ts)


async def _ack_quietly(ack: AsyncAck) -> None:
    await ack()
