"""The platforms a rehearsal sends on: console, Slack and Discord stand-ins that record
every message with the simulated moment it went out.

They live as long as the rehearsal, not a bot process: a message sent just before a
simulated kill -9 is still on the platform afterwards, where a restarted bot looks for
it by its key (as it would in Slack's message metadata or by Discord's nonce).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.runtime.messages import Reply, SendOutcome, Target

if TYPE_CHECKING:
    from bot.adapters.base import Fence

PLATFORMS = ("console", "slack", "discord")


class Killed(BaseException):
    """The process died mid-send (kill -9): nothing after the platform call ran."""


@dataclass(frozen=True, slots=True)
class Sent:
    at: datetime
    target: Target
    key: str
    rule: str
    text: str
    variant: str | None = None  # the wording, in a wording experiment


class Process:
    """One simulated bot process: it can be told to die after a number of sends."""

    def __init__(self, name: str):
        self.name = name
        self.dead = False
        self.kill_after: int | None = None

    def check(self) -> None:
        if self.dead:
            raise Killed


class Platform:
    """One platform: takes messages and remembers them, whichever process sends."""

    def __init__(self, platform: str, now: Callable[[], datetime], log: list[Sent]):
        self.platform = platform
        self._now = now
        self._log = log
        self._keys: dict[str, str] = {}

    def deliver(self, target: Target, reply: Reply, key: str) -> str:
        rule = str(reply.extra.get("rule", ""))
        variant = reply.extra.get("variant")
        self._log.append(
            Sent(self._now(), target, key, rule, reply.text, str(variant) if variant else None)
        )
        self._keys[key] = f"{self.platform}-{len(self._log)}"
        return self._keys[key]

    def find(self, key: str) -> str | None:
        return self._keys.get(key)


class Sender:
    """A process's client for one platform (what the deliverer sends through)."""

    def __init__(self, platform: Platform, process: Process):
        self.platform = platform.platform
        self._platform = platform
        self._process = process

    async def send(
        self, target: Target, reply: Reply, key: str, fence: Fence | None = None
    ) -> SendOutcome:
        self._process.check()
        if fence is not None and not await fence.enter():
            return SendOutcome("fenced")
        self._process.check()  # the process may have died while the fence was written
        ref = self._platform.deliver(target, reply, key)
        process = self._process
        if process.kill_after is not None:
            process.kill_after -= 1
            if process.kill_after <= 0:
                process.dead = True  # delivered, but the bot never hears back
                raise Killed
        return SendOutcome("sent", ref=ref)

    async def find_sent(self, target: Target, key: str) -> str | None:
        self._process.check()
        return self._platform.find(key)
