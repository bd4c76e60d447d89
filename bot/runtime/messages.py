"""The neutral language between adapters and commands: who asked, and what to say back.

Adapters turn a platform event into an `Invocation` and render a `Reply` in the
platform's own form (Block Kit, a Discord embed, plain terminal text). Nothing here
knows about any platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from bot.campaign.domain import Branch, User


@dataclass(frozen=True, slots=True)
class Channel:
    id: str
    is_direct: bool = False


@dataclass(frozen=True, slots=True)
class Invocation:
    """One command, run by one person, with its options already parsed and typed."""

    command: str
    user: User
    channel: Channel
    options: Mapping[str, Any]
    is_organiser: bool
    now: datetime

    def text(self, name: str) -> str | None:
        value = self.options.get(name)
        return value if isinstance(value, str) else None

    def branch(self, name: str = "branch") -> Branch | None:
        value = self.options.get(name)
        return value if isinstance(value, Branch) else None

    def date(self, name: str) -> date | None:
        value = self.options.get(name)
        return value if isinstance(value, date) else None

    def flag(self, name: str) -> bool:
        return self.options.get(name) is True

    def integer(self, name: str) -> int | None:
        value = self.options.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Button:
    """A choice offered with a reply; pressing it runs `command` with `options`."""

    label: str
    command: str
    options: Mapping[str, str] = field(default_factory=dict)
    style: str = "default"  # default | primary | danger
    # Typed answers that pick this choice when the reply asks a question ("yes", a code).
    words: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    mime: str

    @property
    def is_text(self) -> bool:
        """Text to show as it is (a CSV). A calendar is text too, but a file for a
        calendar program to open."""
        return self.mime.startswith("text/") and not self.mime.startswith("text/calendar")


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot says back. `text` is plain: adapters escape and format it.

    `title` and `fields` are an optional structured summary; `ephemeral` replies are
    shown only to the caller where the platform can do that.
    """

    text: str
    title: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = None
    ephemeral: bool = True
    is_error: bool = False
    # The buttons answer a question this reply asks: a typed answer can pick one too.
    prompt: bool = False
    source: Mapping[str, str] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def error(cls, text: str) -> Reply:
        return cls(text=text, ephemeral=True, is_error=True)


@dataclass(frozen=True, slots=True)
class Target:
    """Where a message goes: a person (their DM) or a channel, on one platform."""

    platform: str
    kind: Literal["user", "channel"]
    id: str


# What a person hears when the store could not take a write (locked too long, full,
# unreachable): plainly, that nothing was recorded.
NOT_SAVED = "Sorry, I couldn't save that just now, so nothing was recorded. Please try again."


@dataclass(frozen=True, slots=True)
class SendOutcome:
    # fenced: not sent, as the sender no longer holds the right to (`Fence`)
    status: Literal["sent", "undeliverable", "failed", "fenced"]
    ref: str | None = None
    detail: str | None = None
