"""Running a command for an adapter: look it up, check who may run it, parse, handle.

Every adapter calls `Dispatcher.run` with raw option values and gets a `Reply` back,
never an exception: mistakes become specific messages, and anything unexpected is
logged and answered with an apology.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from rapidfuzz import process

from bot.cmdline import parse_options, split_command
from bot.errors import UserError
from bot.messages import Button, Channel, Invocation, Reply, User
from bot.options import convert
from bot.services import Services

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."


def organiser_only_message(name: str) -> str:
    return f"Sorry, /{name} is for campaign organisers only."


def _described(options: Mapping[str, Any]) -> str:
    """Options as they were understood, for the audit log (free text cut short)."""
    parts = []
    for key, value in options.items():
        shown = getattr(value, "code", value)
        text = str(shown)
        parts.append(f"{key}:{text if len(text) <= 40 else text[:39] + '…'}")
    return " ".join(parts)


class Dispatcher:
    """The one way into the commands, shared by every adapter."""

    def __init__(self, services: Services):
        self.services = services

    def is_organiser(self, user: User, platform_says: bool = False) -> bool:
        return platform_says or self.services.settings.is_organiser(user.platform, user.id)

    def unknown_command(self, name: str) -> Reply:
        names = self.services.commands.names()
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
        command = self.services.commands.get(name)
        if command is None:
            return self.unknown_command(name)
        is_organiser = self.is_organiser(user, organiser)
        now = self.services.clock.now()
        if command.organiser_only and not is_organiser:
            log.info("refused /%s for a non-organiser on %s", name, user.platform)
            await self.services.store.audit(user, "refused", f"/{name}", now)
            return Reply.error(organiser_only_message(name))
        try:
            options = convert(
                command,
                raw,
                self.services.branches,
                self.services.campaign,
            )
            invocation = Invocation(
                command=name,
                user=user,
                channel=channel,
                options=options,
                is_organiser=is_organiser,
                now=now,
            )
            reply = await command.handler(invocation, self.services)
            if command.organiser_only and command.audited and not reply.is_error:
                await self.services.store.audit(user, name, _described(options), now)
            return reply
        except UserError as exc:
            return Reply.error(exc.message)
        except Exception:
            log.exception("/%s failed", name)
            return Reply.error(SORRY)

    async def run_line(
        self, line: str, user: User, channel: Channel, organiser: bool = False
    ) -> Reply:
        """A typed line: `/command options...`, or anything else as a question."""
        try:
            if not line.strip().startswith("/"):
                return await self.run("ask", {"question": line}, user, channel, organiser)
            name, rest = split_command(line)
            command = self.services.commands.get(name)
            if command is None:
                return self.unknown_command(name)
            raw = parse_options(command, rest)
        except UserError as exc:
            return Reply.error(exc.message)
        return await self.run(name, raw, user, channel, organiser)

    async def press(
        self, button: Button, user: User, channel: Channel, organiser: bool = False
    ) -> Reply:
        return await self.run(button.command, dict(button.options), user, channel, organiser)
