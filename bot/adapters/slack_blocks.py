"""Slack's side of a neutral reply: Block Kit messages, modals, and the app manifest.

Pure functions, no network: the adapter (`bot.adapters.slack`) sends what these build.
A reply's text mixes the bot's words (which use no markup) with what people typed, so all
of it is rendered as `plain_text` objects, in which `*`, `_`, `~`, backticks and link
syntax are shown as typed; and `&`, `<` and `>` are escaped everywhere, the top-level
fallback text included, so typed `<!channel>`, `<@U123>`, `<!subteam^S1>` or
`<https://x|disguised>` is shown, never acted on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.campaign.domain import User
from bot.errors import StartupError
from bot.runtime.messages import Button, Reply
from commands import Registry
from commands.spec import Command, Option, OptionType

PLATFORM = "slack"
ACTION_PREFIX = "mobilise:"
FORM_PREFIX = "mobilise-form:"
SECTION_LIMIT = 3000
MAX_BLOCKS = 50
BUTTONS_AT_MOST = 5  # more choices than this are offered as a menu
SELECT_AT_MOST = 100  # Slack's limit on a menu's options
COMMAND_NAME_LIMIT = 32  # Slack's limit on a slash command, the slash included

# Scopes the app needs, for the manifest.
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "channels:history",
    "commands",
    "files:write",
    "groups:history",
    "im:history",
    "im:read",
    "im:write",
    "usergroups:read",
    "users:read",
)
BOT_EVENTS = ("app_home_opened", "app_mention", "message.im")

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


def escape(text: str) -> str:
    """Slack's three escapes: what a user typed is shown, never turned into a mention."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fit(text: str, size: int) -> int:
    """How much of `text` fits in `size` characters once escaped."""
    cut = min(len(text), size)
    while len(escape(text[:cut])) > size:
        cut -= len(escape(text[:cut])) - size
    return cut


def _chunks(text: str, size: int = SECTION_LIMIT) -> list[str]:
    """`text` in parts that each fit `size` once escaped, cut at line ends where possible."""
    parts = []
    while len(escape(text)) > size:
        cut = _fit(text, size)
        newline = text.rfind("\n", 0, cut)
        cut = newline if newline > 0 else cut
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


class CommandNames:
    """The bot's slash commands as Slack knows them, with the optional prefix
    (MOBILISE_COMMAND_PREFIX) that keeps them apart from other apps' commands.

    A reply names commands without the prefix (`/progress`); on Slack, each is shown
    with it (`/mob-progress`), in /help's list and every hint alike.
    """

    def __init__(self, commands: Registry, prefix: str = ""):
        self.prefix = prefix
        names = sorted((c.name for c in commands), key=len, reverse=True)
        longest = self.slash(names[0]) if names else ""
        if len(longest) > COMMAND_NAME_LIMIT:
            raise StartupError(
                f"MOBILISE_COMMAND_PREFIX {prefix!r} is too long: {longest} would be "
                f"{len(longest)} characters, and Slack allows {COMMAND_NAME_LIMIT}."
            )
        alternatives = "|".join(re.escape(name) for name in names)
        self._named = re.compile(rf"(?<![\w/.:-])/({alternatives})(?![\w-])")

    def slash(self, name: str) -> str:
        return f"/{self.prefix}{name}"

    def in_text(self, text: str) -> str:
        return self._named.sub(lambda m: self.slash(m.group(1)), text) if self.prefix else text

    def in_reply(self, reply: Reply) -> Reply:
        if not self.prefix:
            return reply
        return replace(
            reply,
            text=self.in_text(reply.text),
            title=self.in_text(reply.title) if reply.title else reply.title,
            fields=tuple((self.in_text(a), self.in_text(b)) for a, b in reply.fields),
        )


def user_from(payload: Mapping[str, Any]) -> User:
    """Who sent a command, an interaction or a form."""
    user = payload.get("user")
    if isinstance(user, dict):
        user_id = str(user.get("id", ""))
        name = str(user.get("username") or user.get("name") or user_id)
    else:
        user_id = str(payload.get("user_id") or user or "")
        name = str(payload.get("user_name") or user_id)
    return User(PLATFORM, user_id, name[:80])


def request_key(body: Mapping[str, Any]) -> str | None:
    """What makes a request the same request again, in Slack's own identity of it: an
    event's `event_id`, a command's or interaction's `trigger_id` (never the signature:
    a retry signed anew is still the same request). None where there is nothing to go
    on, or a repeat would do no harm (options typed into a search box)."""
    if body.get("type") == "event_callback" and body.get("event_id"):
        return f"slack-event:{body['event_id']}"
    if body.get("type") == "block_suggestion":
        return None
    trigger = body.get("trigger_id")
    if not trigger or not isinstance(trigger, str):
        return None
    return f"slack-trigger:{trigger}"


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


def _plain(text: str, limit: int = SECTION_LIMIT) -> dict[str, Any]:
    """A text object that Slack shows as it is: no formatting, mentions or links."""
    return {"type": "plain_text", "text": escape(text[: _fit(text, limit)]), "emoji": True}


def render(reply: Reply, names: CommandNames | None = None) -> tuple[str, list[dict[str, Any]]]:
    """A neutral reply as (fallback text, Block Kit blocks), everything escaped, and the
    commands it names as `names` has them on Slack."""
    reply = names.in_reply(reply) if names is not None else reply
    text = escape(reply.text[: _fit(reply.text, 40000)])
    blocks: list[dict[str, Any]] = []
    if reply.title:
        blocks.append({"type": "header", "text": _plain(reply.title, 150)})
    for part in _chunks(reply.text):
        if part:
            blocks.append({"type": "section", "text": _plain(part)})
    if reply.fields:
        blocks.append(
            {
                "type": "section",
                "fields": [_plain(f"{label}\n{value}", 2000) for label, value in reply.fields[:10]],
            }
        )
    if reply.source:
        blocks.append({"type": "context", "elements": [_plain(f"Source: {reply.source['title']}")]})
    if len(reply.buttons) > BUTTONS_AT_MOST:  # beyond five, a menu to pick from
        options = [
            {"text": _plain(b.label, 75), "value": button_value(b)}
            for b in reply.buttons[:SELECT_AT_MOST]
        ]
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "static_select",
                        "action_id": f"{ACTION_PREFIX}select",
                        "placeholder": _plain("Choose one", 75),
                        "options": options,
                    }
                ],
            }
        )
    elif reply.buttons:
        elements = [
            button_element(button, f"{ACTION_PREFIX}{number}")
            for number, button in enumerate(reply.buttons)
        ]
        blocks.append({"type": "actions", "elements": elements})
    return text, blocks[:MAX_BLOCKS]


def button_element(button: Button, action_id: str) -> dict[str, Any]:
    """A Block Kit button for `button`, its press identified by `action_id`."""
    element: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": _plain(button.label, 75),
        "value": button_value(button),
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


# --- forms --------------------------------------------------------------------------


def form_view(
    command: Command,
    channel_id: str,
    initial: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
    names: CommandNames | None = None,
) -> dict[str, Any]:
    """A modal asking for the command's options, those in `initial` filled in already
    (`labels`: what to show for a chosen value, such as a branch's name for its code;
    `names`: the commands as Slack knows them, for the title)."""
    blocks: list[dict[str, Any]] = []
    for option in command.options:
        element = _form_element(option)
        value = (initial or {}).get(option.name)
        if value:
            _fill(element, option, value, (labels or {}).get(option.name, value))
        blocks.append(
            {
                "type": "input",
                "block_id": f"opt:{option.name}",
                "optional": not option.required,
                "label": {"type": "plain_text", "text": option.description[:150]},
                "element": element,
            }
        )
    title = names.slash(command.name) if names else f"/{command.name}"
    return {
        "type": "modal",
        "callback_id": f"{FORM_PREFIX}{command.name}",
        "private_metadata": json.dumps({"channel": channel_id}),
        "title": {"type": "plain_text", "text": title[:24]},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks,
    }


def _fill(element: dict[str, Any], option: Option, value: str, label: str) -> None:
    """Start a form's input at `value`."""
    kind = element["type"]
    if kind == "plain_text_input":
        element["initial_value"] = value[: option.max_length]
    elif kind == "datepicker":
        element["initial_date"] = value
    elif kind == "static_select":  # the option itself, exactly as listed
        for listed in element["options"]:
            if listed["value"] == value:
                element["initial_option"] = listed
    elif kind == "external_select":
        element["initial_option"] = {"text": _plain(label, 75), "value": value}


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


def _slash_command(
    command: Command, names: CommandNames, request_url: str | None
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "command": names.slash(command.name),
        "description": names.in_text(command.description)[:2000],
        "should_escape": False,
    }
    hint = " ".join(o.usage() for o in command.options)
    if hint:
        entry["usage_hint"] = hint[:1000]
    if request_url:
        entry["url"] = request_url
    return entry


def manifest(
    commands: Registry, name: str = "mobilise", prefix: str = "", http: str | None = None
) -> dict[str, Any]:
    """The Slack app manifest, generated from the command declarations: for Socket Mode,
    or, given the address of `run --slack-http`'s endpoint (`http`), for HTTP, with
    commands, events and interactivity all sent there."""
    names = CommandNames(commands, prefix)
    events: dict[str, Any] = {"bot_events": list(BOT_EVENTS)}
    interactivity: dict[str, Any] = {"is_enabled": True}
    if http:
        events = {"request_url": http, **events}
        interactivity |= {"request_url": http, "message_menu_options_url": http}
    return {
        "display_information": {
            "name": name,
            "description": "Campaign bot: manifesto answers, nomination reminders and tallies.",
        },
        "features": {
            "bot_user": {"display_name": name, "always_online": True},
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "slash_commands": [_slash_command(c, names, http) for c in commands],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": not http,
            "token_rotation_enabled": False,
        },
    }
