"""What a command handler can use: built once by the composition root and passed in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.campaign.branches import BranchDirectory
from bot.campaign.pack import Campaign
from bot.runtime.changes import Changes
from bot.runtime.clock import Clock
from bot.runtime.outbox import Outbox
from bot.runtime.settings import Settings
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

    _answers: AnswerEngine | None = field(default=None, init=False, repr=False)
    _answers_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @property
    def answers(self) -> AnswerEngine:
        """The answer engine, built when first needed: a process that only sends reminders
        or exports (send-due, export) never loads the sentence model. Built once, even when
        a question arrives while `warm_answers` is still building it."""
        engine = self._answers
        if engine is None:
            with self._answers_lock:
                engine = self._answers
                if engine is None:
                    engine = self._answers = self.make_answers()
        return engine

    def built_answers(self) -> AnswerEngine | None:
        """The answer engine if it has been built (waiting for a build under way), without
        building it."""
        with self._answers_lock:
            return self._answers

    def warm_answers(self) -> threading.Thread:
        """Build the answer engine in the background, so that the first question does not
        wait for the sentence model, nor anything else for it."""
        thread = threading.Thread(target=lambda: self.answers, name="mobilise-answers", daemon=True)
        thread.start()
        return thread
