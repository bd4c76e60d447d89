"""The bot's commands, one module each, declared once and platform-neutral.

Importing this package is cheap; `registry()` imports the command modules and collects
their declarations in the order below, which is the order /help lists them.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from functools import cache

from commands.spec import Command, Option, OptionType, Permission, command

MODULES = (
    "help",
    "home",
    "ask",
    "volunteer",
    "meeting",
    "notice",
    "cancelmeeting",
    "nominate",
    "ballot",
    "voted",
    "pledge",
    "progress",
    "branch",
    "formsent",
    "optout",
    "optin",
    "mydata",
    "forgetme",
    "verify",
    "export",
    "pipeline",
    "audit",
    "questions",
    "answer",
    "broadcast",
    "broadcast_here",
    "board_here",
    "dashboard",
    "reminders",
    "done",
    "snooze",
    "needhelp",
    "cancel",
)

__all__ = ["Command", "Option", "OptionType", "Permission", "Registry", "command", "registry"]


class Registry:
    """Every declared command, by name."""

    def __init__(self, commands: list[Command]):
        self._commands = {c.name: c for c in commands}
        if len(self._commands) != len(commands):
            raise ValueError("two commands share a name")

    def __iter__(self) -> Iterator[Command]:
        """The commands people can type (not the ones only buttons run)."""
        return (c for c in self._commands.values() if not c.hidden)

    def __len__(self) -> int:
        return len(self._commands)

    def get(self, name: str) -> Command | None:
        return self._commands.get(name)

    def everything(self) -> list[Command]:
        """All commands, the ones only buttons run included."""
        return list(self._commands.values())

    def names(self) -> list[str]:
        return [c.name for c in self]

    def visible_to(self, organiser: bool) -> list[Command]:
        return [c for c in self if organiser or not c.organiser_only]


@cache
def registry() -> Registry:
    found: list[Command] = []
    for name in MODULES:
        module = importlib.import_module(f"commands.{name}")
        for value in vars(module).values():
            declared = getattr(value, "__mobilise_command__", None)
            if isinstance(declared, Command) and declared not in found:
                found.append(declared)
    return Registry(found)
