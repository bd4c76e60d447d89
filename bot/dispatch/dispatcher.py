"""Running a command for an adapter: look it up, pass it through the steps, handle it.

The dispatcher is everything an adapter may call (`bot.adapters.base.AdapterServices`):
run a command or a typed line, press a button, search branches, check one option. It
always gives a `Reply` back, never an exception: mistakes become specific messages, and
anything unexpected is logged and answered with an apology.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from rapidfuzz import process
from sqlalchemy.exc import DBAPIError

from bot.campaign.branches import Ambiguous
from bot.campaign.domain import Branch, User
from bot.dispatch.cmdline import parse_options, split_command
from bot.dispatch.options import convert_one
from bot.dispatch.prompts import Prompts, Retry, choose_branch
from bot.dispatch.steps import Call, chain
from bot.errors import UserError, describe_store_error
from bot.runtime.changes import Change, Listener
from bot.runtime.meeting_events import EventHost, MeetingEvents
from bot.runtime.messages import NOT_SAVED, Button, Channel, Reply
from bot.runtime.services import Services
from bot.store.boards import Board
from bot.views.board import board_reply
from bot.views.home import HomeView, build_home
from commands import Registry, registry

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."
# Plain words that ask for the list of commands, or say thanks, rather than a question.
HELP_WORDS = frozenset({"help", "help me", "commands", "menu", "what can you do"})
THANKS_WORDS = frozenset(
    {"thanks", "thank you", "thanks a lot", "cheers", "ta", "thx", "ty", "many thanks"}
)
THANKS = "You're welcome! Ask me anything else about the campaign, or type /help."


class Dispatcher:
    """The one way into the commands, shared by every adapter."""

    def __init__(self, services: Services, commands: Registry | None = None):
        self.services = services
        # The declared commands (the same registry the services list for /help).
        self.commands = registry() if commands is None else commands
        self._chain = chain()
        self.prompts = Prompts()

    def is_organiser(self, user: User, platform_says: bool = False) -> bool:
        return platform_says or self.services.settings.is_organiser(user.platform, user.id)

    def unknown_command(self, name: str) -> Reply:
        names = self.commands.names()
        guess = process.extractOne(name, names, score_cutoff=70) if name else None
        shown = name[:30]
        hint = f" Did you mean /{guess[0]}?" if guess else ""
        return Reply.error(f"I don't know the command /{shown}.{hint} Type /help for the list.")

    async def run(
        self,
        name: str,
        raw: Mapping[str, Any],
        user: User,
        channel: Channel,
        organiser: bool = False,
    ) -> Reply:
        command = self.commands.get(name)
        if command is None:
            return self.unknown_command(name)
        call = Call(
            command=command,
            raw=raw,
            user=user,
            channel=channel,
            is_organiser=self.is_organiser(user, organiser),
            now=self.services.clock.now(),
            services=self.services,
        )
        self.prompts.forget(user.key)  # running a command moves on from any question
        try:
            reply = await self._chain(call)
        except Ambiguous as ambiguous:
            reply = choose_branch(ambiguous, name, raw)
            retry = Retry(name, {k: str(v) for k, v in raw.items()}, ambiguous.option)
            self.prompts.asked(user.key, reply, retry)
            return reply
        except UserError as exc:
            return Reply.error(exc.message)
        except DBAPIError as error:  # the store cannot be written: a full disk, say
            log.error("/%s: %s", name, describe_store_error(error))
            return Reply.error(NOT_SAVED)
        except Exception:
            log.exception("/%s failed", name)
            return Reply.error(SORRY)
        self.prompts.asked(user.key, reply)
        if not reply.is_error:
            branch = raw.get("branch")
            code = branch.code if isinstance(branch, Branch) else None
            if code is None and isinstance(branch, str):
                found = self.services.branches.get(branch)
                code = found.code if found else None
            self.services.changes.notify(Change(user, name, code))
        return reply

    async def run_line(
        self, line: str, user: User, channel: Channel, organiser: bool = False
    ) -> Reply:
        """A typed line: `/command options...`, an answer to a question the bot asked,
        or anything else as a question for the bot."""
        try:
            if not line.strip().startswith("/"):
                return await self._said(line.strip(), user, channel, organiser)
            name, rest = split_command(line)
            command = self.commands.get(name)
            if command is None:
                return self.unknown_command(name)
            raw = parse_options(command, rest)
        except UserError as exc:
            return Reply.error(exc.message)
        return await self.run(name, raw, user, channel, organiser)

    async def _said(self, text: str, user: User, channel: Channel, organiser: bool) -> Reply:
        prompt = self.prompts.pending(user.key)
        if prompt is not None:
            chosen = Prompts.match(prompt, text)
            if chosen is not None:
                return await self.press(chosen, user, channel, organiser)
            if prompt.retry is not None and not Prompts.is_new_question(text):
                retry = prompt.retry
                raw = {**retry.raw, retry.option: text}
                return await self.run(retry.command, raw, user, channel, organiser)
            if not Prompts.is_new_question(text):
                return Prompts.repeat(prompt)
        said = " ".join(text.casefold().strip(" !.?").split())
        if said in HELP_WORDS:
            return await self.run("help", {}, user, channel, organiser)
        if said in THANKS_WORDS:
            return Reply(text=THANKS, ephemeral=True)
        ask = self.commands.get("ask")
        room = ask.option("question") if ask else None
        most = room.max_length if room else len(text)
        question = text if len(text) <= most else text[:most].rsplit(" ", 1)[0]
        return await self.run("ask", {"question": question}, user, channel, organiser)

    async def press(
        self, button: Button, user: User, channel: Channel, organiser: bool = False
    ) -> Reply:
        return await self.run(button.command, dict(button.options), user, channel, organiser)

    def search_branches(self, query: str, limit: int) -> list[Branch]:
        return self.services.branches.search(query, limit)

    async def first_time(self, key: str) -> bool:
        return await self.services.store.requests.first_time(key, datetime.now(UTC))

    def check_option(self, command: str, option: str, value: str | None) -> str | None:
        declared = self.commands.get(command)
        found = declared.option(option) if declared else None
        if found is None:
            return f"/{command} has no option {option!r}."
        if value is None or not value.strip():
            return f"{option}: is needed." if found.required else None
        try:
            convert_one(found, value, self.services.branches, self.services.campaign)
        except UserError as error:
            return error.message
        return None

    # --- views kept up to date: the Slack Home tab, the Discord board -----------------

    def on_change(self, listener: Listener) -> None:
        self.services.changes.subscribe(listener)

    def host_events(self, host: EventHost) -> MeetingEvents:
        """`host` keeps each meeting as an event on its platform from now on."""
        services = self.services
        events = services.events
        events.attach(
            host,
            services.store,
            services.campaign,
            services.settings,
            services.clock,
            services.changes,
            services.branches,
        )
        return events

    def is_organiser_id(self, platform: str, user_id: str) -> bool:
        return self.services.settings.is_organiser(platform, user_id)

    async def home(self, user: User, organiser: bool = False) -> HomeView:
        organiser = self.is_organiser(user, organiser)
        return await build_home(self.services, user, organiser, self.services.clock.now())

    async def board(self) -> Reply:
        return await board_reply(self.services, self.services.clock.now())

    async def boards(self, platform: str) -> list[Board]:
        return await self.services.store.boards.all(platform)

    async def board_posted(self, platform: str, channel_id: str, message_id: str | None) -> None:
        await self.services.store.boards.posted(platform, channel_id, message_id)
