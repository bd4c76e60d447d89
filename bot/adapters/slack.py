"""The Slack adapter: slash commands, modals, buttons, mentions and DMs on slack-bolt.

Everything here translates: a Slack request becomes a call to the dispatcher, and the
neutral reply becomes Block Kit. Listeners acknowledge first and do the work after
(bolt's lazy listeners), so nothing waits on the store or the answer engine inside
Slack's three seconds. All user-supplied text is escaped before it is sent, so typed
`<!channel>` or `<@U123>` is shown, never acted on.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from bot.dispatch import Dispatcher
from bot.errors import UserError
from bot.messages import Button, Channel, Reply, User
from bot.options import convert
from bot.settings import Settings
from commands import Registry
from commands.spec import Command, Option, OptionType
from schedules.delivery import SendOutcome, Target, paced

log = logging.getLogger(__name__)

PLATFORM = "slack"
ACTION_PREFIX = "mobilise:"
FORM_PREFIX = "mobilise-form:"
SECTION_LIMIT = 3000
MAX_BLOCKS = 50
GROUP_CACHE_SECONDS = 300
_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")

# Scopes the app needs, for the manifest.
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "files:write",
    "im:history",
    "im:read",
    "im:write",
    "usergroups:read",
    "users:read",
)
BOT_EVENTS = ("app_mention", "message.im")


def escape(text: str) -> str:
    """Slack's three escapes: what a user typed is shown, never turned into a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _chunks(text: str, size: int = SECTION_LIMIT) -> list[str]:
    parts = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def button_value(button: Button) -> str:
    return json.dumps({"c": button.command, "o": dict(button.options)}, separators=(",", ":"))


def parse_button_value(value: str) -> Button:
    data = json.loads(value)
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise ValueError("not a mobilise button")
    options = data.get("o") or {}
    if not isinstance(options, dict):
        raise ValueError("bad button options")
    return Button(label="", command=data["c"], options={str(k): str(v) for k, v in options.items()})


def render(reply: Reply) -> tuple[str, list[dict[str, Any]]]:
    """A neutral reply as (fallback text, Block Kit blocks), everything escaped."""
    text = escape(reply.text)
    blocks: list[dict[str, Any]] = []
    if reply.title:
        blocks.append({"type": "header", "text": {"type": "plain_text", "text": reply.title[:150]}})
    for part in _chunks(text):
        if part:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": part}})
    if reply.fields:
        blocks.append(
            {
                "type": "section",
                "fields": [
                    {"type": "mrkdwn", "text": f"*{escape(label)}*\n{escape(value)}"[:2000]}
                    for label, value in reply.fields[:10]
                ],
            }
        )
    if reply.source:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f"Source: {escape(reply.source['title'])}"}
                ],
            }
        )
    if reply.buttons:
        elements = []
        for number, button in enumerate(reply.buttons[:25]):
            element: dict[str, Any] = {
                "type": "button",
                "action_id": f"{ACTION_PREFIX}{number}",
                "text": {"type": "plain_text", "text": button.label[:75]},
                "value": button_value(button),
            }
            if button.style in ("primary", "danger"):
                element["style"] = button.style
            elements.append(element)
        blocks.append({"type": "actions", "elements": elements})
    return text[:40000], blocks[:MAX_BLOCKS]


# --- forms --------------------------------------------------------------------------


def form_view(command: Command, channel_id: str) -> dict[str, Any]:
    """A modal asking for the command's options."""
    blocks: list[dict[str, Any]] = []
    for option in command.options:
        blocks.append(
            {
                "type": "input",
                "block_id": f"opt:{option.name}",
                "optional": not option.required,
                "label": {"type": "plain_text", "text": option.description[:150]},
                "element": _form_element(option),
            }
        )
    return {
        "type": "modal",
        "callback_id": f"{FORM_PREFIX}{command.name}",
        "private_metadata": json.dumps({"channel": channel_id}),
        "title": {"type": "plain_text", "text": f"/{command.name}"[:24]},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _form_element(option: Option) -> dict[str, Any]:
    if option.type is OptionType.BRANCH:
        return {
            "type": "external_select",
            "action_id": option.name,
            "min_query_length": 1,
            "placeholder": {"type": "plain_text", "text": "Start typing your branch"},
        }
    if option.type is OptionType.DATE:
        return {"type": "datepicker", "action_id": option.name}
    if option.type is OptionType.CHOICE or option.type is OptionType.BOOLEAN:
        choices = option.choices or ("true", "false")
        return {
            "type": "static_select",
            "action_id": option.name,
            "options": [
                {"text": {"type": "plain_text", "text": choice}, "value": choice}
                for choice in choices
            ],
        }
    return {
        "type": "plain_text_input",
        "action_id": option.name,
        "max_length": option.max_length,
        "multiline": option.max_length > 200,
    }


def form_values(command: Command, view: Mapping[str, Any]) -> dict[str, str]:
    """The raw option values from a submitted modal."""
    state = view.get("state", {}).get("values", {})
    values: dict[str, str] = {}
    for option in command.options:
        item = state.get(f"opt:{option.name}", {}).get(option.name, {})
        value: Any = (
            item.get("value")
            or item.get("selected_date")
            or (item.get("selected_option") or {}).get("value")
        )
        if value:
            values[option.name] = str(value)
    return values


# --- the app ------------------------------------------------------------------------


@dataclass
class _GroupCache:
    members: frozenset[str] = frozenset()
    fetched: float = 0.0


class SlackAdapter:
    """Builds and owns the bolt app for one workspace."""

    def __init__(self, dispatcher: Dispatcher, settings: Settings):
        self.dispatcher = dispatcher
        self.settings = settings
        self.commands: Registry = dispatcher.services.commands
        secret = (
            settings.slack_signing_secret.get_secret_value()
            if settings.slack_signing_secret
            else None
        )
        self.client = slack_client(settings)
        self.app = AsyncApp(
            signing_secret=secret,
            client=self.client,
            logger=logging.getLogger("mobilise.slack"),
            request_verification_enabled=secret is not None,
        )
        self._group = _GroupCache()
        self._register()

    # --- who is who -----------------------------------------------------------------

    async def is_organiser(self, user_id: str) -> bool:
        if self.settings.is_organiser(PLATFORM, user_id):
            return True
        group = self.settings.slack_organiser_group
        if not group:
            return False
        if time.monotonic() - self._group.fetched > GROUP_CACHE_SECONDS:
            try:
                group_id = await self._group_id(group)
                found = await self.client.usergroups_users_list(usergroup=group_id)
                self._group = _GroupCache(frozenset(found.get("users") or ()), time.monotonic())
            except Exception as error:
                log.warning(
                    "could not read the organisers' Slack user group: %s", type(error).__name__
                )
                return False
        return user_id in self._group.members

    async def _group_id(self, group: str) -> str:
        if re.fullmatch(r"S[A-Z0-9]+", group):
            return group
        listing = await self.client.usergroups_list()
        for item in listing.get("usergroups") or ():
            if group.lstrip("@") in (item.get("handle"), item.get("name")):
                return str(item["id"])
        raise LookupError(group)

    @staticmethod
    def _user(payload: Mapping[str, Any]) -> User:
        user = payload.get("user")
        if isinstance(user, dict):
            user_id = str(user.get("id", ""))
            name = str(user.get("username") or user.get("name") or user_id)
        else:
            user_id = str(payload.get("user_id") or user or "")
            name = str(payload.get("user_name") or user_id)
        return User(PLATFORM, user_id, name[:80])

    # --- sending --------------------------------------------------------------------

    async def deliver(
        self,
        reply: Reply,
        user: User,
        channel_id: str,
        respond: AsyncRespond | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """Send a reply where it belongs: only to the caller, or to the channel."""
        text, blocks = render(reply)
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
                channel=channel_id, text=text, blocks=blocks, thread_ts=thread_ts
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

    # --- listeners ------------------------------------------------------------------

    def _register(self) -> None:
        for command in self.commands:
            self.app.command(f"/{command.name}")(
                ack=_ack_quietly, lazy=[self._command_handler(command)]
            )
            if command.form:
                self.app.view(f"{FORM_PREFIX}{command.name}")(self._form_handler(command))
        self.app.action(re.compile(f"^{re.escape(ACTION_PREFIX)}"))(
            ack=_ack_quietly, lazy=[self._on_button]
        )
        for option_name in {
            o.name for c in self.commands for o in c.options if o.type is OptionType.BRANCH
        }:
            self.app.options(option_name)(self._on_branch_search)
        self.app.event("app_mention")(ack=_ack_quietly, lazy=[self._on_mention])
        self.app.event("message")(ack=_ack_quietly, lazy=[self._on_message])

    def _command_handler(self, command: Command) -> Callable[..., Awaitable[None]]:
        async def handle(
            body: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
        ) -> None:
            user = self._user(body)
            channel_id = str(body.get("channel_id", ""))
            text = str(body.get("text") or "").strip()
            if not text and command.form and body.get("trigger_id"):
                await client.views_open(
                    trigger_id=body["trigger_id"], view=form_view(command, channel_id)
                )
                return
            organiser = await self.is_organiser(user.id)
            line = f"/{command.name} {text}".strip()
            channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
            reply = await self.dispatcher.run_line(line, user, channel, organiser)
            await self.deliver(reply, user, channel_id, respond=respond)

        return handle

    def _form_handler(self, command: Command) -> Callable[..., Awaitable[None]]:
        async def handle(ack: AsyncAck, body: dict[str, Any], view: dict[str, Any]) -> None:
            user = self._user(body)
            raw = form_values(command, view)
            problems = self._form_problems(command, raw)
            if problems:
                await ack(response_action="errors", errors=problems)
                return
            await ack()
            metadata = json.loads(view.get("private_metadata") or "{}")
            channel_id = str(metadata.get("channel") or user.id)
            organiser = await self.is_organiser(user.id)
            channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
            reply = await self.dispatcher.run(command.name, raw, user, channel, organiser)
            await self.deliver(reply, user, channel_id)

        return handle

    def _form_problems(self, command: Command, raw: dict[str, str]) -> dict[str, str]:
        """Field errors for a modal: each option checked on its own."""
        services = self.dispatcher.services
        problems = {}
        for option in command.options:
            single = Command(command.name, command.description, command.handler, (option,))
            try:
                convert(
                    single,
                    {option.name: raw[option.name]} if option.name in raw else {},
                    services.branches,
                    services.campaign,
                )
            except UserError as error:
                problems[f"opt:{option.name}"] = error.message[:150]
        return problems

    async def _on_button(
        self, body: dict[str, Any], respond: AsyncRespond, action: dict[str, Any]
    ) -> None:
        user = self._user(body)
        channel_id = str((body.get("channel") or {}).get("id") or user.id)
        try:
            button = parse_button_value(str(action.get("value", "")))
        except (ValueError, TypeError):
            log.info("ignored a button that is not ours")
            return
        organiser = await self.is_organiser(user.id)
        channel = Channel(channel_id, is_direct=channel_id.startswith("D"))
        reply = await self.dispatcher.press(button, user, channel, organiser)
        await self.deliver(reply, user, channel_id, respond=respond)

    async def _on_branch_search(self, ack: AsyncAck, payload: dict[str, Any]) -> None:
        query = str(payload.get("value") or "")[:100]
        found = self.dispatcher.services.branches.search(query, limit=50)
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
        reply = await self.dispatcher.run_line(text, user, channel, organiser)
        public = Reply(
            text=reply.text,
            title=reply.title,
            fields=reply.fields,
            buttons=reply.buttons,
            attachment=reply.attachment,
            ephemeral=False,
            is_error=reply.is_error,
            source=reply.source,
        )
        await self.deliver(public, user, channel_id, thread_ts=thread_ts)


# Errors after which a message will never get through to that person or channel.
UNDELIVERABLE = {
    "channel_not_found",
    "user_not_found",
    "cannot_dm_bot",
    "is_archived",
    "not_in_channel",
    "account_inactive",
    "user_disabled",
    "restricted_action",
    "messages_tab_disabled",
}


class SlackSender:
    """Sends reminders on Slack: paced below Slack's limits, 429s retried by slack-sdk."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, per_second: float = 4.0):
        self.client = client
        self.limiter = paced(per_second)

    async def send(self, target: Target, reply: Reply, nonce: str) -> SendOutcome:
        from slack_sdk.errors import SlackApiError

        text, blocks = render(reply)
        async with self.limiter:
            try:
                sent = await self.client.chat_postMessage(
                    channel=target.id, text=text, blocks=blocks
                )
                if reply.attachment is not None:
                    await self.client.files_upload_v2(
                        channel=str(sent.get("channel") or target.id),
                        filename=reply.attachment.filename,
                        content=reply.attachment.content,
                        title=reply.attachment.filename,
                    )
            except SlackApiError as error:
                code = str(error.response.get("error", "error"))
                if code in UNDELIVERABLE:
                    return SendOutcome("undeliverable", detail=code)
                return SendOutcome("failed", detail=code)
        return SendOutcome("sent", ref=str(sent.get("ts")))


def slack_client(settings: Settings) -> AsyncWebClient:
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    args: dict[str, Any] = {
        "token": token,
        "retry_handlers": [AsyncRateLimitErrorRetryHandler(max_retry_count=5)],
    }
    if settings.slack_api_url:
        args["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(**args)


async def _ack_quietly(ack: AsyncAck) -> None:
    await ack()


def _slash_command(command: Command) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "command": f"/{command.name}",
        "description": command.description[:2000],
        "should_escape": False,
    }
    hint = " ".join(o.usage() for o in command.options)
    if hint:
        entry["usage_hint"] = hint[:1000]
    return entry


def manifest(commands: Registry, name: str = "mobilise") -> dict[str, Any]:
    """The Slack app manifest, generated from the command declarations."""
    return {
        "display_information": {
            "name": name,
            "description": "Campaign bot: manifesto answers, nomination reminders and tallies.",
        },
        "features": {
            "bot_user": {"display_name": name, "always_online": True},
            "app_home": {"messages_tab_enabled": True, "messages_tab_read_only_enabled": False},
            "slash_commands": [_slash_command(c) for c in commands],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True},
            "org_deploy_enabled": False,
            "socket_mode_enabled": True,
            "token_rotation_enabled": False,
        },
    }
