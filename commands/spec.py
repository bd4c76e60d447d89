"""How a command is declared: once, here, for every platform.

A command module defines an async handler and decorates it with `@command(...)`. The
decorator only records the declaration on the function; `commands.registry()` collects
them. Slack's manifest, Discord's command payload, the console parser and /help are
all generated from these declarations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from bot.runtime.messages import Invocation, Reply

if TYPE_CHECKING:
    from bot.runtime.services import Services


class OptionType(Enum):
    TEXT = "text"
    BRANCH = "branch"
    DATE = "date"
    CHOICE = "choice"
    BOOLEAN = "boolean"
    INTEGER = "integer"


class Permission(Enum):
    ANYONE = "anyone"
    ORGANISER = "organiser"


@dataclass(frozen=True, slots=True)
class Option:
    name: str
    description: str
    type: OptionType = OptionType.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    max_length: int = 200
    min_value: int | None = None
    max_value: int | None = None
    # How usage shows the value, where its type alone does not say it ("time").
    shape: str = ""

    @property
    def is_free_text(self) -> bool:
        return self.type is OptionType.TEXT

    def usage(self) -> str:
        if self.choices:
            shape = "|".join(self.choices)
        elif self.type is OptionType.BOOLEAN:
            shape = "true|false"
        else:
            shape = self.shape or self.type.value
        text = f"{self.name}:<{shape}>"
        return text if self.required else f"[{text}]"


Handler = Callable[[Invocation, "Services"], Awaitable[Reply]]


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    description: str
    handler: Handler
    options: tuple[Option, ...] = ()
    permission: Permission = Permission.ANYONE
    # Commands that open a form on platforms that have them when run with no options.
    form: bool = False
    # Commands only buttons run: not listed in /help nor registered with the platforms.
    hidden: bool = False
    # Organiser commands that change or export something are written to the audit log.
    audited: bool = True

    @property
    def organiser_only(self) -> bool:
        return self.permission is Permission.ORGANISER

    def option(self, name: str) -> Option | None:
        return next((o for o in self.options if o.name == name), None)

    @property
    def required(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.required)

    def usage(self) -> str:
        return " ".join([f"/{self.name}", *(o.usage() for o in self.options)])


def command(
    name: str,
    description: str,
    *options: Option,
    permission: Permission = Permission.ANYONE,
    form: bool = False,
    hidden: bool = False,
    audited: bool = True,
) -> Callable[[Handler], Handler]:
    """Record a command declaration on its handler."""

    def record(handler: Handler) -> Handler:
        handler.__mobilise_command__ = Command(  # type: ignore[attr-defined]
            name=name,
            description=description,
            handler=handler,
            options=tuple(options),
            permission=permission,
            form=form,
            hidden=hidden,
            audited=audited,
        )
        return handler

    return record
