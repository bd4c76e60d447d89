"""The Discord adapter: application commands, autocomplete, forms, buttons, mentions, DMs.

One discord.py client per process serves interactions and sends reminders. It logs in
once at start; when serving it also syncs the commands and keeps the gateway open. A
base URL for a Discord-compatible API (the tests' fake) is given to this client's own
HTTP calls, never patched into discord.py for everyone. Work that might be slow is
deferred and answered with a follow-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import discord
from discord import app_commands

from bot.adapters.base import AdapterServices, Fence, SendOutcome, Target
from bot.adapters.discord_board import DiscordBoard
from bot.adapters.discord_events import DiscordEvents
from bot.adapters.discord_patches import rebase, rebase_gateway, scan_buckets_less_often
from bot.adapters.discord_views import (
    _MENTION,
    AUTOCOMPLETE_LIMIT,
    BUTTON_PREFIX,
    NO_MENTIONS,
    PLATFORM,
    SELECT_ID,
    CommandForm,
    _cut,
    app_command,
    delivery_key,
    parse_button_id,
    render,
)
from bot.adapters.pacing import Fenced, fenced, fenced_requests, paced
from bot.campaign.domain import User
from bot.errors import STARTUP_SECONDS, StartupError, unreachable
from bot.runtime.messages import NOT_SAVED, Channel, Reply
from bot.runtime.settings import Settings

log = logging.getLogger(__name__)

ANSWER_WITHOUT_DEFER = 1.5  # seconds of work before deferring
HISTORY_PAGE = 100  # messages per read of a channel's history (Discord's most)
HISTORY_PAGES = 2  # latest messages searched for a reminder's key after a crash: 200


class _Client(discord.Client):
    """discord.py's client, with the adapter's set-up run where discord.py expects it:
    after logging in, before the gateway connects."""

    def __init__(self, on_setup: Callable[[], Awaitable[None]], **options: Any):
        super().__init__(**options)
        self._on_setup = on_setup

    async def setup_hook(self) -> None:
        await self._on_setup()


class DiscordAdapter:
    """The client and command tree for one bot, started as an async context.

    With `serve`, it syncs the application commands and connects to the gateway to
    answer people; without, it only logs in to send reminders.
    """

    platform = PLATFORM

    def __init__(self, services: AdapterServices, settings: Settings, serve: bool = False):
        self.services = services
        self.settings = settings
        self.serve = serve
        intents = discord.Intents.default()
        intents.message_content = True
        self.client = _Client(
            self._setup_hook,
            intents=intents,
            allowed_mentions=NO_MENTIONS,
            http_trace=fenced_requests(),
        )
        self.tree = app_commands.CommandTree(self.client)
        for command in services.commands:
            self.tree.add_command(
                app_command(
                    command, self, self._branch_choices, settings.discord_organiser_permission
                )
            )
        self.client.event(self.on_message)
        self.client.event(self.on_interaction)
        scan_buckets_less_often(self.client.http)
        self.limiter = paced(settings.discord_send_rate)  # message sends
        self.dm_limiter = paced(settings.discord_send_rate)  # opening DMs, paced apart
        self._dm: dict[str, int] = {}
        self._gateway: asyncio.Task[None] | None = None
        self._base: str | None = None
        # Gateway events are handled in this context, which carries the base URL.
        self.context = contextvars.copy_context()
        self.board = DiscordBoard(self)
        if serve:  # boards are kept by the process that serves people
            services.on_change(self.board.changed)
        # Meetings as the server's scheduled events, where it opts in.
        self.events = (
            services.host_events(DiscordEvents(self)) if serve and settings.discord_events else None
        )
        if settings.discord_api_url:
            self._rebase(settings.discord_api_url.rstrip("/"))

    def _rebase(self, base: str) -> None:
        """Send this client's REST calls and interaction responses to `base`."""
        rebase(self.client.http, base, self.context)
        self._base = base

    # --- start and stop ---------------------------------------------------------------

    async def __aenter__(self) -> DiscordAdapter:
        await self.login()
        if self.serve:
            if self._base:
                await rebase_gateway(self.client.http)
            self._gateway = self.context.run(
                asyncio.create_task, self.client.connect(reconnect=True), name="discord-gateway"
            )
            log.info("connected to Discord")
        return self

    async def login(self) -> None:
        """Log in once (and, when serving, sync the application commands)."""
        token = self.settings.discord_token
        assert token is not None
        if self.client.user is not None:  # logged in already
            return
        try:
            async with asyncio.timeout(STARTUP_SECONDS):
                await self.client.login(token.get_secret_value())
        except discord.LoginFailure:
            await self.client.close()
            raise StartupError(
                "Discord refused DISCORD_TOKEN (401 Unauthorized): check the bot token in .env"
            ) from None
        except (OSError, TimeoutError, aiohttp.ClientError, discord.HTTPException) as error:
            await self.client.close()
            where = self._base or "https://discord.com/api"
            raise StartupError(
                f"cannot reach Discord at {where} ({unreachable(error)}): check the "
                "network, or DISCORD_API_URL"
            ) from None

    async def __aexit__(self, *exc: object) -> None:
        await self.client.close()
        if self._gateway is not None:
            self._gateway.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._gateway
        await self.board.close()  # after the gateway: no event pokes it again
        if self.events is not None:
            await self.events.close()

    async def _setup_hook(self) -> None:
        if not self.serve:
            return
        if self.settings.discord_guild_ids:
            for guild_id in self.settings.discord_guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
        else:
            await self.tree.sync()

    def payload(self) -> list[dict[str, Any]]:
        """The application-command payload that a sync sends to Discord."""
        return [c.to_dict(self.tree) for c in self.tree.get_commands()]

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
        return Channel(str(interaction.channel_id or ""), is_direct=interaction.guild_id is None)

    # --- running commands -------------------------------------------------------------

    async def _branch_choices(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        found = self.services.search_branches(current[:100], AUTOCOMPLETE_LIMIT)
        return [app_commands.Choice(name=_cut(b.name, 100), value=b.code) for b in found][
            :AUTOCOMPLETE_LIMIT
        ]

    async def run_and_respond(
        self, interaction: discord.Interaction, name: str, raw: Mapping[str, Any]
    ) -> None:
        """Run a command; answer at once if quick, else defer and follow up."""
        user, channel = self._user(interaction.user), self._channel(interaction)
        organiser = self.is_organiser(interaction.user)
        await self._respond(
            interaction, lambda: self.services.run(name, dict(raw), user, channel, organiser)
        )

    async def _first_time(self, interaction: discord.Interaction) -> bool:
        """An interaction delivered twice (a gateway resumed, say) is handled once: it is
        known by its id."""
        if await self.services.first_time(f"discord-interaction:{interaction.id}"):
            return True
        log.info("ignored an interaction seen before")
        return False

    async def _once(
        self, interaction: discord.Interaction, run: Callable[[], Awaitable[Reply]]
    ) -> Reply | None:
        """The reply to a new interaction (None for one seen before), the interaction's id
        recorded inside the work, so that Discord's answer never waits on the store."""
        try:
            if not await self._first_time(interaction):
                return None
        except Exception as error:
            log.warning("could not record a Discord interaction: %s", type(error).__name__)
            return Reply.error(NOT_SAVED)
        return await run()

    async def _respond(
        self, interaction: discord.Interaction, run: Callable[[], Awaitable[Reply]]
    ) -> None:
        task = asyncio.ensure_future(self._once(interaction, run))
        done, _ = await asyncio.wait({task}, timeout=ANSWER_WITHOUT_DEFER)
        if done:
            reply = task.result()
            if reply is not None:
                await interaction.response.send_message(ephemeral=reply.ephemeral, **render(reply))
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        reply = await task
        if reply is not None:
            await interaction.followup.send(ephemeral=reply.ephemeral, **render(reply))

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Button presses, whether or not the message's view is still in memory."""
        if interaction.type is not discord.InteractionType.component:
            return
        data: dict[str, Any] = dict(interaction.data or {})
        custom_id = str(data.get("custom_id", ""))
        if custom_id.split(":")[0] == SELECT_ID:  # a choice carries the button it stands for
            custom_id = str((data.get("values") or [""])[0])
        if not custom_id.startswith(BUTTON_PREFIX):
            return
        try:
            button = parse_button_id(custom_id)
        except (ValueError, TypeError):
            log.info("ignored a button that is not ours")
            return
        command = self.services.commands.get(button.command)
        if command is not None and any(o.name not in button.options for o in command.required):
            # A button that needs more (a Home button's meeting date, say): its form.
            form = CommandForm(self, command, button.options)
            await interaction.response.send_modal(form)
            return
        user, channel = self._user(interaction.user), self._channel(interaction)
        organiser = self.is_organiser(interaction.user)
        await self._respond(
            interaction, lambda: self.services.press(button, user, channel, organiser)
        )

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
        reply = await self.services.run_line(
            text,
            self._user(message.author),
            Channel(str(message.channel.id), is_direct=direct),
            self.is_organiser(message.author),
        )
        await message.reply(mention_author=False, **render(reply))

    # --- reminders --------------------------------------------------------------------

    async def _channel_id(self, target: Target) -> int:
        if target.kind == "channel":
            return int(target.id)
        channel_id = self._dm.get(target.id)
        if channel_id is None:
            async with self.dm_limiter:
                opened = await self.client.http.start_private_message(int(target.id))
            channel_id = int(opened["id"])
            self._dm[target.id] = channel_id
        return channel_id

    async def _messageable(self, target: Target) -> discord.abc.Messageable:
        return self.client.get_partial_messageable(await self._channel_id(target))

    async def send(
        self, target: Target, reply: Reply, key: str, fence: Fence | None = None
    ) -> SendOutcome:
        """A reminder, paced below the global limit and fenced right before the call.

        discord.py honours 429s and rate-limit headers itself (each retry fenced again);
        the key rides in a button's custom id, where `find_sent` looks for it, and as the
        nonce (which Discord honours for a few minutes only, so nothing rests on it).
        """
        try:
            channel = await self._messageable(target)
            async with self.limiter:
                if fence is not None and not await fence.enter():
                    return SendOutcome("fenced")
                with fenced(fence):
                    message = await channel.send(nonce=key, **render(reply, key))
        except Fenced:
            return SendOutcome("fenced")
        except (discord.Forbidden, discord.NotFound) as error:
            return SendOutcome("undeliverable", detail=f"{error.status} {error.code}")
        except discord.HTTPException as error:
            return SendOutcome("failed", detail=f"{error.status} {error.code}")
        return SendOutcome("sent", ref=str(message.id))

    async def find_sent(self, target: Target, key: str) -> str | None:
        """The message carrying `key` in a button's custom id, among the conversation's
        latest. Raises if Discord cannot be asked (429s beyond discord.py's own retries,
        each after Discord's retry_after): then nothing is sent again until it can be."""
        channel_id = await self._channel_id(target)
        before: str | None = None
        for _ in range(HISTORY_PAGES):
            page = await self.client.http.logs_from(channel_id, HISTORY_PAGE, before=before)
            for message in page:
                if delivery_key(message) == key:
                    return str(message["id"])
            if len(page) < HISTORY_PAGE:
                return None
            before = str(page[-1]["id"])
        return None
