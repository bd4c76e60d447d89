"""The Discord adapter: application commands, autocomplete, forms, buttons, mentions, DMs.

Application commands are built from the same declarations as every other platform:
option types, descriptions and choices carried over, branch options autocompleted from
the branch list. Work that might be slow is deferred and answered with a follow-up.
Every message goes out with mentions disabled, so nothing a user typed can ping
@everyone, @here, a role or a person.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Mapping
from typing import Any

import discord
from discord import app_commands

from bot.dispatch import Dispatcher
from bot.messages import Button, Channel, Reply, User
from bot.settings import Settings
from commands import Registry
from commands.spec import Command, Option, OptionType
from schedules.delivery import SendOutcome, Target, paced

log = logging.getLogger(__name__)


class _NoVoiceNotice(logging.Filter):
    """The bot never speaks: drop discord.py's notice that voice is unavailable."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


logging.getLogger("discord.client").addFilter(_NoVoiceNotice())

PLATFORM = "discord"
BUTTON_PREFIX = "mobilise:"
FORM_PREFIX = "mobilise-form:"
CONTENT_LIMIT = 2000
EMBED_DESCRIPTION_LIMIT = 4096
AUTOCOMPLETE_LIMIT = 25
MODAL_LIMIT = 5
ANSWER_WITHOUT_DEFER = 1.5  # seconds of work before deferring
NO_MENTIONS = discord.AllowedMentions.none()
_MENTION = re.compile(r"<@!?\d+>")

_ANNOTATIONS: dict[OptionType, type] = {
    OptionType.TEXT: str,
    OptionType.BRANCH: str,
    OptionType.DATE: str,
    OptionType.CHOICE: str,
    OptionType.BOOLEAN: bool,
    OptionType.INTEGER: int,
}


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def button_id(button: Button) -> str:
    data = json.dumps({"c": button.command, "o": dict(button.options)}, separators=(",", ":"))
    custom_id = f"{BUTTON_PREFIX}{data}"
    if len(custom_id) > 100:
        raise ValueError("button data too long for a Discord custom id")
    return custom_id


def parse_button_id(custom_id: str) -> Button:
    data = json.loads(custom_id[len(BUTTON_PREFIX) :])
    if not isinstance(data, dict) or not isinstance(data.get("c"), str):
        raise ValueError("not a mobilise button")
    options = data.get("o") or {}
    return Button("", data["c"], {str(k): str(v) for k, v in dict(options).items()})


def render(reply: Reply) -> dict[str, Any]:
    """Keyword arguments for a Discord send: content or an embed, a view, a file."""
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if reply.title or reply.fields or reply.source:
        embed = discord.Embed(
            title=_cut(reply.title, 256) if reply.title else None,
            description=_cut(reply.text, EMBED_DESCRIPTION_LIMIT),
            colour=discord.Colour.red() if reply.is_error else discord.Colour.blurple(),
        )
        for label, value in reply.fields[:25]:
            embed.add_field(name=_cut(label, 256), value=_cut(value, 1024))
        if reply.source:
            embed.set_footer(text=_cut(f"Source: {reply.source['title']}", 2048))
        kwargs["embed"] = embed
    else:
        kwargs["content"] = _cut(reply.text, CONTENT_LIMIT)
    if reply.buttons:
        view = discord.ui.View(timeout=600)
        for button in reply.buttons[:25]:
            style = {
                "primary": discord.ButtonStyle.primary,
                "danger": discord.ButtonStyle.danger,
            }.get(button.style, discord.ButtonStyle.secondary)
            view.add_item(
                discord.ui.Button(
                    label=_cut(button.label, 80), style=style, custom_id=button_id(button)
                )
            )
        kwargs["view"] = view
    if reply.attachment is not None:
        kwargs["file"] = discord.File(
            io.BytesIO(reply.attachment.content), filename=reply.attachment.filename
        )
    return kwargs


class CommandForm(discord.ui.Modal):
    """A form asking for a command's options, for commands run with none."""

    def __init__(self, adapter: DiscordAdapter, command: Command):
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
                style=discord.TextStyle.paragraph
                if option.max_length > 200
                else discord.TextStyle.short,
            )
            self.inputs[option.name] = field
            self.add_item(field)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        raw = {name: field.value for name, field in self.inputs.items() if field.value}
        await self.adapter.run_and_respond(interaction, self.command.name, raw)


class DiscordAdapter:
    """Builds the client and command tree for one bot."""

    def __init__(self, dispatcher: Dispatcher, settings: Settings):
        self.dispatcher = dispatcher
        self.settings = settings
        self.commands: Registry = dispatcher.services.commands
        intents = discord.Intents.default()
        intents.message_content = True
        self.client = discord.Client(intents=intents, allowed_mentions=NO_MENTIONS)
        self.tree = app_commands.CommandTree(self.client)
        for command in self.commands:
            self.tree.add_command(self._app_command(command))
        self.client.event(self.on_message)
        self.client.event(self.on_interaction)
        self.client.setup_hook = self._setup_hook  # type: ignore[method-assign]

    # --- declarations -----------------------------------------------------------------

    def _app_command(self, command: Command) -> app_commands.Command[Any, ..., Any]:
        adapter = self

        async def callback(interaction: discord.Interaction, **values: Any) -> None:
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
        for option in sorted(command.options, key=lambda o: not self._required(command, o)):
            annotation: Any = _ANNOTATIONS[option.type]
            required = self._required(command, option)
            parameters.append(
                inspect.Parameter(
                    option.name,
                    inspect.Parameter.POSITIONAL_OR_KEYWORD,
                    annotation=annotation if required else annotation | None,
                    default=inspect.Parameter.empty if required else None,
                )
            )
        callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        callback = app_commands.describe(
            **{o.name: _cut(o.description, 100) for o in command.options}
        )(callback)
        choices = {
            o.name: [app_commands.Choice(name=c, value=c) for c in o.choices[:25]]
            for o in command.options
            if o.type is OptionType.CHOICE and o.choices
        }
        if choices:
            callback = app_commands.choices(**choices)(callback)
        declared: app_commands.Command[Any, ..., Any] = app_commands.Command(
            name=command.name, description=_cut(command.description, 100), callback=callback
        )
        for option in command.options:
            if option.type is OptionType.BRANCH:
                declared.autocomplete(option.name)(self._branch_choices)
        return declared

    @staticmethod
    def _required(command: Command, option: Option) -> bool:
        # A command that opens a form when run bare must let Discord run it bare.
        return option.required and not command.form

    async def _branch_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = self.dispatcher.services.branches.search(current[:100], AUTOCOMPLETE_LIMIT)
        return [app_commands.Choice(name=_cut(b.name, 100), value=b.code) for b in found][
            :AUTOCOMPLETE_LIMIT
        ]

    def payload(self) -> list[dict[str, Any]]:
        """The application-command payload that a sync sends to Discord."""
        return [c.to_dict(self.tree) for c in self.tree.get_commands()]

    async def _setup_hook(self) -> None:
        if self.settings.discord_guild_ids:
            for guild_id in self.settings.discord_guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    # --- who is who -------------------------------------------------------------------

    def is_organiser(self, member: discord.abc.User) -> bool:
        if self.settings.is_organiser(PLATFORM, str(member.id)):
            return True
        role = self.settings.discord_organiser_role
        if role and isinstance(member, discord.Member):
            return any(r.name == role for r in member.roles)
        return False

    @staticmethod
    def _user(member: discord.abc.User) -> User:
        return User(PLATFORM, str(member.id), _cut(member.display_name, 80))

    @staticmethod
    def _channel(interaction: discord.Interaction) -> Channel:
        return Channel(
            str(interaction.channel_id or ""),
            is_direct=interaction.guild_id is None,
        )

    # --- running commands -------------------------------------------------------------

    async def run_and_respond(
        self, interaction: discord.Interaction, name: str, raw: Mapping[str, Any]
    ) -> None:
        """Run a command; answer at once if quick, else defer and follow up."""
        work = asyncio.ensure_future(
            self.dispatcher.run(
                name,
                dict(raw),
                self._user(interaction.user),
                self._channel(interaction),
                self.is_organiser(interaction.user),
            )
        )
        await self._respond(interaction, work)

    async def _respond(self, interaction: discord.Interaction, work: Awaitable[Reply]) -> None:
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHOUT_DEFER)
        if done:
            reply = task.result()
            kwargs = render(reply)
            await interaction.response.send_message(ephemeral=reply.ephemeral, **kwargs)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await task
        await interaction.followup.send(ephemeral=reply.ephemeral, **render(reply))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Button presses, whether or not the message's view is still in memory."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if not custom_id.startswith(BUTTON_PREFIX):
            return
        try:
            button = parse_button_id(custom_id)
        except (ValueError, TypeError):
            log.info("ignored a button that is not ours")
            return
        work = self.dispatcher.press(
            button,
            self._user(interaction.user),
            self._channel(interaction),
            self.is_organiser(interaction.user),
        )
        await self._respond(interaction, work)

    async def on_message(self, message: discord.Message) -> None:
        """Answer DMs, and messages that mention the bot."""
        me = self.client.user
        if message.author.bot or me is None:
            return
        direct = message.guild is None
        if not direct and me not in message.mentions:
            return
        text = _MENTION.sub("", message.content).strip()
        if not text:
            return
        reply = await self.dispatcher.run_line(
            text,
            self._user(message.author),
            Channel(str(message.channel.id), is_direct=direct),
            self.is_organiser(message.author),
        )
        kwargs = render(reply)
        await message.reply(mention_author=False, **kwargs)


class DiscordSender:
    """Sends reminders on Discord: paced below the global limit, each with its nonce.

    discord.py honours 429s and rate-limit headers itself; the nonce (with
    enforce_nonce) makes a send repeated after a crash show once.
    """

    platform = PLATFORM

    def __init__(self, client: discord.Client, per_second: float = 25.0):
        self.client = client
        self.limiter = paced(per_second)  # message sends
        self.dm_limiter = paced(per_second)  # opening DMs, paced apart
        self._dm: dict[str, int] = {}

    async def _channel(self, target: Target) -> discord.abc.Messageable:
        if target.kind == "channel":
            return self.client.get_partial_messageable(int(target.id))
        channel_id = self._dm.get(target.id)
        if channel_id is None:
            async with self.dm_limiter:
                opened = await self.client.http.start_private_message(int(target.id))
            channel_id = int(opened["id"])
            self._dm[target.id] = channel_id
        return self.client.get_partial_messageable(channel_id)

    async def send(self, target: Target, reply: Reply, nonce: str) -> SendOutcome:
        try:
            channel = await self._channel(target)
            async with self.limiter:
                message = await channel.send(nonce=nonce, **render(reply))
        except (discord.Forbidden, discord.NotFound) as error:
            return SendOutcome("undeliverable", detail=f"{error.status} {error.code}")
        except discord.HTTPException as error:
            return SendOutcome("failed", detail=f"{error.status} {error.code}")
        return SendOutcome("sent", ref=str(message.id))


async def discord_start(adapter: DiscordAdapter, token: str) -> asyncio.Task[None]:
    """Log in, then keep the gateway connection in a background task."""
    if adapter.settings.discord_api_url:
        discord.http.Route.BASE = adapter.settings.discord_api_url.rstrip("/")
    await adapter.client.login(token)
    return asyncio.create_task(adapter.client.connect(reconnect=True), name="discord-gateway")


@contextlib.asynccontextmanager
async def discord_bot(dispatcher: Dispatcher, settings: Settings) -> AsyncIterator[DiscordAdapter]:
    assert settings.discord_token is not None
    adapter = DiscordAdapter(dispatcher, settings)
    task = await discord_start(adapter, settings.discord_token.get_secret_value())
    log.info("connected to Discord")
    try:
        yield adapter
    finally:
        await adapter.client.close()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task
