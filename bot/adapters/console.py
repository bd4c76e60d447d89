"""The console adapter: the whole bot on standard input and output.

A line starting with `/` is a command (`/name opt:value opt:"two words"`); a number picks
one of the buttons offered by the previous reply; anything else is a question. It works
interactively and piped, and stops at the end of input. Reminders for console users are
shown in the same terminal, their buttons pressable by number.

Everything shown passes through `terminal_safe`: a name, nominee or question holding
escape sequences or control characters cannot move the cursor, recolour, retitle or
clear the terminal, or hide what comes before it.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.adapters.base import AdapterServices, Fence, SendOutcome, Target
from bot.campaign.domain import User
from bot.runtime.messages import Button, Channel, Reply

PLATFORM = "console"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# ANSI/VT escape sequences: CSI (ESC [ or the 8-bit CSI), OSC (ESC ], to BEL or ST), and
# the two-character ones; whatever control characters are left are removed after.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_safe(text: str) -> str:
    """`text` with escape sequences, control characters and bidi overrides removed;
    line breaks and tabs stay."""
    text = _ESCAPE_SEQUENCE.sub("", text)
    return "".join(
        ch for ch in text if ch in "\n\t" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI)
    )


def render(reply: Reply, attachments: Path | None = None) -> str:
    """A reply as plain terminal text."""
    lines = [reply.text]
    if reply.fields:
        lines.extend(f"{label}: {value}" for label, value in reply.fields)
    if reply.source:
        lines.append(f"(Source: {reply.source['title']})")
    if reply.buttons:
        choices = "  ".join(f"{n}) {b.label}" for n, b in enumerate(reply.buttons, 1))
        lines.append(f"Reply with a number: {choices}")
    if reply.attachment is not None:
        attachment = reply.attachment
        if attachment.is_text:
            lines.append(attachment.content.decode("utf-8").rstrip("\n"))
        else:
            folder = attachments or Path("var")
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / _SAFE_NAME.sub("_", attachment.filename)
            path.write_bytes(attachment.content)
            lines.append(f"Saved {attachment.filename} to {path}")
    return terminal_safe("\n".join(lines))


EXIT = frozenset({"/exit", "/quit"})


def _lines(stream: TextIO) -> asyncio.Queue[str | None]:
    """Lines typed, read by a daemon thread: Ctrl-C or a stop signal need not wait for
    Enter, and the end of input arrives as None."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        while True:
            try:
                line = stream.readline()
            except (OSError, ValueError):
                line = ""
            try:
                loop.call_soon_threadsafe(queue.put_nowait, line or None)
            except RuntimeError:  # the bot has stopped while this line was being typed
                return
            if not line:
                return

    threading.Thread(target=read, name="mobilise-console-input", daemon=True).start()
    return queue


class Console:
    """One person talking to the bot in a terminal; also the console's reminder sender."""

    platform = PLATFORM

    def __init__(
        self,
        services: AdapterServices,
        name: str = "supporter",
        organiser: bool = False,
        attachments: Path | None = None,
        out: TextIO | None = None,
    ):
        self.services = services
        self.user = User(PLATFORM, name, name)
        self.channel = Channel("console", is_direct=True)
        self.organiser = organiser
        self.attachments = attachments
        self.out = out
        self._buttons: tuple[Button, ...] = ()

    async def __aenter__(self) -> Console:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def reply_to(self, line: str) -> Reply | None:
        line = line.strip()
        if not line:
            return None
        if line.isdigit() and self._buttons:
            number = int(line)
            if not 1 <= number <= len(self._buttons):
                return Reply.error(f"Pick a number from 1 to {len(self._buttons)}.")
            button = self._buttons[number - 1]
            reply = await self.services.press(button, self.user, self.channel, self.organiser)
        else:
            reply = await self.services.run_line(line, self.user, self.channel, self.organiser)
        self._buttons = reply.buttons
        return reply

    def show(self, reply: Reply, heading: str, yours: bool = True) -> None:
        """A message the bot starts (a reminder). Its buttons are pressable by number if it
        is for the person at this terminal; another person's are shown, not theirs to use."""
        stream = self.out or sys.stdout
        shown = reply if yours else replace(reply, buttons=())
        stream.write(f"{terminal_safe(heading)}\n{render(shown, self.attachments)}\n\n")
        stream.flush()
        if yours and reply.buttons:
            self._buttons = reply.buttons

    async def handle(self, line: str) -> str | None:
        reply = await self.reply_to(line)
        return None if reply is None else render(reply, self.attachments)

    async def run(self, stream: TextIO | None = None, out: TextIO | None = None) -> None:
        stream = stream or sys.stdin
        out = out or self.out or sys.stdout
        interactive = stream.isatty()
        if interactive:
            out.write("mobilise: ask a question, or type /help. /exit or Ctrl-D to leave.\n")
        lines = _lines(stream)
        while True:
            if interactive:
                out.write("> ")
                out.flush()
            line = await lines.get()
            if line is None or line.strip().lower() in EXIT:
                break
            text = await self.handle(line)
            if text is not None:
                out.write(text + "\n\n")
                out.flush()

    async def send(
        self, target: Target, reply: Reply, key: str, fence: Fence | None = None
    ) -> SendOutcome:
        """A reminder or broadcast, shown in the terminal."""
        if fence is not None and not await fence.enter():
            return SendOutcome("fenced")
        yours = target.kind == "user" and target.id == self.user.id
        if target.kind == "channel":
            heading = f"[broadcast to #{target.id}]"
        elif yours:
            heading = "[reminder for you]"
        else:
            heading = f"[reminder for {target.id}]"
        self.show(reply, heading, yours)
        return SendOutcome("sent", ref=key)

    async def find_sent(self, target: Target, key: str) -> str | None:
        return None  # a terminal keeps no history to look in
