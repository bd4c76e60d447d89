"""Discord's side of a neutral reply: messages, embeds, buttons, forms, and the
application commands built from the command declarations.

Option types, descriptions, choices and limits are carried over from the declarations;
branch options autocomplete. Organiser commands carry `default_member_permissions`, so
Discord shows them only to members with that permission (the bot checks for itself
anyway), and `contexts` says where each command may be used (organiser commands only in
a server, where roles are known; the rest in a DM with the bot too). Every message goes out with mentions disabled, so nothing a user
typed can ping @everyone, @here, a role or a person. A reply's text mixes the bot's words
(which use no markup) with what people typed, so all of it is markdown-escaped: a typed
`[verify here](https://evil.example)` shows as typed, with the address in plain view,
and headers, bold, code, quotes, spoilers and `@everyone` show as the characters they are.
"""

from __future__ import annotations

import inspect
import io
import json
import re
from collections.abc import Callable, Coroutine, Mapping
from typing import Any, Optional, Protocol, cast

import discord
from discord import app_commands

from bot.adapters.discord_patches import with_parameters
from bot.campaign.branches import MAX_BRANCH_TEXT
from bot.campaign.dates import MAX_DATE_TEXT
from bot.runtime.messages import Button, Reply
from commands.spec import Command, Option, OptionType

PLATFORM = "discord"
BUTTON_PREFIX = "mobilise:"
FORM_PREFIX = "mobilise-form:"
CONTENT_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
AUTOCOMPLETE_LIMIT = 25
MODAL_LIMIT = 5
BUTTONS_AT_MOST = 5  # more choices than this are offered as a select menu
SELECT_AT_MOST = 25  # Discord's limit on a select menu's options
SELECT_ID = "mobilise-select"
NO_MENTIONS = discord.AllowedMentions.none()
_MENTION = re.compile(r"<@!?\d+>")

# Where a command may be used: a server, a DM with the bot; installed to a server only.
EVERYWHERE = app_commands.AppCommandContext(guild=True, dm_channel=True)
IN_A_SERVER = app_commands.AppCommandContext(guild=True)
SERVER_INSTALL = app_commands.AppInstallationType(guild=True)
_RANGE = cast(Any, app_commands.Range)  # subscripted with values known only at run time


def text_limit(option: Option) -> int:
    """The most characters the bot accepts for a string option."""
    return {OptionType.BRANCH: MAX_BRANCH_TEXT, OptionType.DATE: MAX_DATE_TEXT}.get(
        option.type, option.max_length
    )


def _annotation(option: Option) -> Any:
    """The parameter type, with the limits the bot enforces: Discord checks them first."""
    if option.type is OptionType.BOOLEAN:
        return bool
    if option.type is OptionType.INTEGER:
        if option.min_value is None and option.max_value is None:
            return int
        return _RANGE[int, option.min_value, option.max_value]
    if option.type is OptionType.CHOICE:
        return str  # limited to its choices
    return _RANGE[str, None, text_limit(option)]


# Addresses are left whole, so Discord still links them (visibly: never behind a label).
_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"'\]\s]")
# Markdown's inline characters, and `<` that opens a mention, a channel, a time or an emoji.
_INLINE = re.compile(r"([\\*_~`|\[\]<>])")
# Headers (#), subtext and lists (-) only count at the start of a line.
_LINE_START = re.compile(r"(?m)^(\s*)([#-])")


def _escape_words(text: str) -> str:
    return _LINE_START.sub(r"\1\\\2", _INLINE.sub(r"\\\1", text))


def escape(text: str) -> str:
    """Text shown exactly as typed: no markdown, no masked links, no mentions.

    Every character Discord's markdown could read is backslash-escaped, which Discord
    shows as the character itself. discord.utils.escape_markdown is not used: it treats a
    whole `[label](address) ... )` run as one masked link and escapes only its first
    bracket, leaving bold, code and further links inside it live. Mentions are broken
    with discord.utils.escape_mentions, on top of sending with mentions switched off.
    """
    shown, last = [], 0
    for address in _URL.finditer(text):
        shown.append(_escape_words(text[last : address.start()]))
        shown.append(address.group())
        last = address.end()
    shown.append(_escape_words(text[last:]))
    return discord.utils.escape_mentions("".join(shown))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _shown(text: str, limit: int) -> str:
    """Escaped, then cut to `limit` without leaving a dangling backslash."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    trailing = len(cut) - len(cut.rstrip("\\"))
    return (cut[:-1] if trailing % 2 else cut) + "…"


def button_id(button: Button, key: str | None = None) -> str:
    """A button's custom id: its command and options, and a reminder's delivery key if
    given (so that the message can be found again after a send cut short)."""
    data: dict[str, Any] = {"c": button.command, "o": dict(button.options)}
    if key is not None:
        data["k"] = key
    custom_id = f"{BUTTON_PREFIX}{json.dumps(data, separators=(',', ':'))}"
    if len(custom_id) > 100:
        raise ValueError("button data too long for a Discord custom id")
    return custom_id


def parse_button_id(custom_id: str) -> Button:
    data = json.loads(custom_id[len(BUTTON_PREFIX) :])
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise ValueError("not a mobilise button")
    options = data.get("o") or {}
    return Button("", data["c"], {str(k): str(v) for k, v in dict(options).items()})


def delivery_key(message: Mapping[str, Any]) -> str | None:
    """The delivery key a message the bot sent carries in a component's custom id."""
    for row in message.get("components") or ():
        for component in (row.get("components") or ()) if isinstance(row, dict) else ():
            custom_id = str(component.get("custom_id") or "") if isinstance(component, dict) else ""
            if custom_id.startswith(f"{SELECT_ID}:"):
                return custom_id[len(SELECT_ID) + 1 :]
            if custom_id.startswith(BUTTON_PREFIX):
                try:
                    data = json.loads(custom_id[len(BUTTON_PREFIX) :])
                except ValueError:
                    continue
                if isinstance(data, dict) and isinstance(data.get("k"), str):
                    return str(data["k"])
    return None


def _keyed_ids(buttons: tuple[Button, ...], key: str | None) -> list[str]:
    """Each button's custom id, the first that has room carrying `key`."""
    ids = [button_id(b) for b in buttons]
    for number, button in enumerate(buttons):
        if key is None:
            break
        try:
            ids[number] = button_id(button, key)
        except ValueError:
            continue
        break
    return ids


def render(reply: Reply, key: str | None = None) -> dict[str, Any]:
    """Keyword arguments for a Discord send: content or an embed, a view, a file; with
    `key`, a reminder's delivery key rides in a component's custom id."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if reply.title or reply.fields or reply.source:
        embed = discord.Embed(
            title=_shown(reply.title, 256) if reply.title else None,
            description=_shown(reply.text, EMBED_DESCRIPTION_LIMIT),
            colour=discord.Colour.red() if reply.is_error else discord.Colour.blurple(),
        )
        for label, value in reply.fields[:25]:
            embed.add_field(name=_shown(label, 256), value=_shown(value, 1024))
        if reply.source:  # footers show no markdown: nothing to escape
            embed.set_footer(text=_cut(f"Source: {reply.source['title']}", 2048))
        kwargs["embed"] = embed
    else:
        kwargs["content"] = _shown(reply.text, CONTENT_LIMIT)
    if len(reply.buttons) > BUTTONS_AT_MOST:  # beyond five, a menu to pick from
        view = discord.ui.View(timeout=600)
        view.add_item(
            discord.ui.Select(
                custom_id=SELECT_ID if key is None else f"{SELECT_ID}:{key}",
                placeholder="Choose one",
                options=[
                    discord.SelectOption(label=_cut(b.label, 100), value=button_id(b))
                    for b in reply.buttons[:SELECT_AT_MOST]
                ],
            )
        )
        kwargs["view"] = view
    elif reply.buttons:
        view = discord.ui.View(timeout=600)
        for button, custom_id in zip(reply.buttons, _keyed_ids(reply.buttons, key), strict=True):
            style = {
                "primary": discord.ButtonStyle.primary,
                "danger": discord.ButtonStyle.danger,
            }.get(button.style, discord.ButtonStyle.secondary)
            view.add_item(
                discord.ui.Button(label=_cut(button.label, 80), style=style, custom_id=custom_id)
            )
        kwargs["view"] = view
    if reply.attachment is not None:
        kwargs["file"] = discord.File(
            io.BytesIO(reply.attachment.content), filename=reply.attachment.filename
        )
    return kwargs


class CommandRunner(Protocol):
    async def run_and_respond(
        self, interaction: discord.Interaction, name: str, raw: Mapping[str, Any]
    ) -> None: ...


BranchChoices = Callable[
    [discord.Interaction, str], Coroutine[Any, Any, list[app_commands.Choice[str]]]
]


class CommandForm(discord.ui.Modal):
    """A form asking for a command's options, for commands run with none."""

    def __init__(
        self, adapter: CommandRunner, command: Command, initial: Mapping[str, str] | None = None
    ):
        super().__init__(
            title=_cut(f"/{command.name}", 45), custom_id=f"{FORM_PREFIX}{command.name}"
        )
        self.adapter = adapter
        self.command = command
        self.inputs: dict[str, discord.ui.TextInput[CommandForm]] = {}
        for option in command.options[:MODAL_LIMIT]:
            hint = {
                OptionType.BRANCH: "Branch name or code",
                OptionType.DATE: "e.g. 30 Sep",
                OptionType.CHOICE: " / ".join(option.choices),
            }.get(option.type, "")
            field: discord.ui.TextInput[CommandForm] = discord.ui.TextInput(
                label=_cut(option.description, 45),
                custom_id=option.name,
                required=option.required,
                max_length=min(option.max_length, 4000),
                placeholder=_cut(hint, 100) or None,
                default=(initial or {}).get(option.name),
                style=discord.TextStyle.paragraph
                if option.max_length > 200
                else discord.TextStyle.short,
            )
            self.inputs[option.name] = field
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        raw = {name: field.value for name, field in self.inputs.items() if field.value}
        await self.adapter.run_and_respond(interaction, self.command.name, raw)


class AppCommand(app_commands.Command[Any, ..., Any]):
    """An application command whose payload leaves out the deprecated `dm_permission`:
    its `contexts` say where it may be used."""

    def to_dict(self, tree: app_commands.CommandTree[Any]) -> dict[str, Any]:
        payload = super().to_dict(tree)
        payload.pop("dm_permission", None)
        if payload.get("default_member_permissions") is not None:  # a string, as documented
            payload["default_member_permissions"] = str(payload["default_member_permissions"])
        return payload


def app_command(
    command: Command,
    adapter: CommandRunner,
    branch_choices: BranchChoices,
    organiser_permission: int | None = None,
) -> app_commands.Command[Any, ..., Any]:
    """The application command for one declaration; running it calls `adapter`.

    An organiser command is shown by default only to members with the permissions in
    `organiser_permission` (a bit set; None shows it to everyone).
    """

    async def run(interaction: discord.Interaction, **values: Any) -> None:
        raw = {k: v for k, v in values.items() if v is not None}
        if not raw and command.form:
            await interaction.response.send_modal(CommandForm(adapter, command))
            return
        await adapter.run_and_respond(interaction, command.name, raw)

    parameters = [
        inspect.Parameter(
            "interaction",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=discord.Interaction,
        )
    ]
    for option in sorted(command.options, key=lambda o: not _required(command, o)):
        annotation = _annotation(option)
        required = _required(command, option)
        parameters.append(
            inspect.Parameter(
                option.name,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=annotation if required else Optional[annotation],  # noqa: UP045
                default=inspect.Parameter.empty if required else None,
            )
        )
    callback = with_parameters(run, parameters)
    callback = app_commands.describe(**{o.name: _cut(o.description, 100) for o in command.options})(
        callback
    )
    choices = {
        o.name: [app_commands.Choice(name=c, value=c) for c in o.choices[:25]]
        for o in command.options
        if o.type is OptionType.CHOICE and o.choices
    }
    if choices:
        callback = app_commands.choices(**choices)(callback)
    declared = AppCommand(
        name=command.name,
        description=_cut(command.description, 100),
        callback=callback,
        allowed_contexts=IN_A_SERVER if command.organiser_only else EVERYWHERE,
        allowed_installs=SERVER_INSTALL,
    )
    if command.organiser_only and organiser_permission is not None:
        declared.default_permissions = discord.Permissions(organiser_permission)
    for option in command.options:
        if option.type is OptionType.BRANCH:
            declared.autocomplete(option.name)(branch_choices)
    return declared


def _required(command: Command, option: Option) -> bool:
    # A command that opens a form when run bare must let Discord run it bare.
    return option.required and not command.form
