"""What a command handler can use: built once by the composition root and passed in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from bot.branches import BranchDirectory
from bot.campaign import Campaign
from bot.changes import Changes
from bot.clock import Clock
from bot.outbox import Outbox
from bot.settings import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.knowledge import AnswerEngine
    from commands import Registry


@dataclass
class Services:
    settings: Settings
    campaign: Campaign
    store: Store
    clock: Clock
    branches: BranchDirectory
    make_answers: Callable[[], AnswerEngine]
    commands: Registry
    outbox: Outbox = field(default_factory=Outbox)
    changes: Changes = field(default_factory=Changes)

    @cached_property
    def answers(self) -> AnswerEngine:
        """The answer engine, built when first needed: a process that only sends reminders
        or exports (send-due, export) never loads the sentence model."""
        return self.make_answers()
