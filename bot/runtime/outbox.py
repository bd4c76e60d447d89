"""Messages the bot starts outside a conversation (an organiser's answer reaching the
people who asked), sent through whichever platform adapters this process runs.

A `Sender` is what every platform adapter is when it sends (`bot.adapters.base.Adapter`
adds starting and stopping); it is declared here, below the adapters, so that the services
and the reminders can name it."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.runtime.messages import Reply, SendOutcome, Target

log = logging.getLogger(__name__)


class Fence(Protocol):
    """Whether the sender may still send, asked right before the platform call."""

    async def enter(self) -> bool:
        """Right before the platform call, after any wait (the rate limiter's): mark the
        message as being sent, if this process still may; False: do not send it."""
        ...

    def holds(self) -> bool:
        """Before the same call is tried again (after a 429's wait): whether it still may."""
        ...


class Sender(Protocol):
    """Sends one message on one platform, honouring the platform's limits.

    `key` is the message's delivery key: stable across retries, and kept with the
    message (Slack message metadata, a Discord button's custom id) so that a send cut
    short can be found again. A `fence`, if given, is entered after any wait and right
    before the platform call; if it refuses, nothing is sent and the outcome is "fenced".
    """

    platform: str

    async def send(
        self, target: Target, reply: Reply, key: str, fence: Fence | None = None
    ) -> SendOutcome: ...

    async def find_sent(self, target: Target, key: str) -> str | None:
        """After a crash mid-send: the reference of the message sent with `key`, or None
        if it is not there. Raises if the platform could not be asked (a 429 to the
        end, no network): then nobody can tell, and the message is not sent again."""
        ...


class Outbox:
    """The senders of the platforms this process serves, by platform name."""

    def __init__(self) -> None:
        self.senders: dict[str, Sender] = {}

    def attach(self, sender: Sender) -> None:
        self.senders[sender.platform] = sender

    async def send(self, target: Target, reply: Reply, key: str) -> SendOutcome | None:
        """Send now; None if this process does not serve that platform."""
        sender = self.senders.get(target.platform)
        if sender is None:
            return None
        try:
            return await sender.send(target, reply, key)
        except Exception as error:  # a platform that fails must not fail the command
            log.warning("a message to %s failed: %s", target.platform, type(error).__name__)
            return SendOutcome("failed", detail=type(error).__name__)
