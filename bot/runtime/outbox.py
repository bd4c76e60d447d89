"""Messages the bot starts outside a conversation (an organiser's answer reaching the
people who asked), sent through whichever platform adapters this process runs."""

from __future__ import annotations

import logging

from bot.adapters.base import Sender, SendOutcome, Target
from bot.runtime.messages import Reply

log = logging.getLogger(__name__)


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
