"""What a command handler can use: built once by the composition root and passed in."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from bot.campaign.branches import BranchDirectory
from bot.campaign.pack import Campaign
from bot.runtime.changes import Changes
from bot.runtime.clock import Clock
from bot.runtime.meeting_events import MeetingEvents
from bot.runtime.outbox import Outbox
from bot.runtime.settings import Settings
from bot.store import Store

if TYPE_CHECKING:
    from bot.knowledge import AnswerEngine


class ListedOption(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def is_free_text(self) -> bool: ...


class Listed(Protocol):
    """A declared command (`commands.Command`) as /help and the audit log see it."""

    @property
    def name(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def organiser_only(self) -> bool: ...

    @property
    def options(self) -> Sequence[ListedOption]: ...

    def usage(self) -> str: ...


class PlannedRule(Protocol):
    @property
    def id(self) -> str: ...


class Upcoming(Protocol):
    """One reminder planned for one recipient (`schedules.plans.Planned`)."""

    @property
    def at(self) -> datetime: ...

    @property
    def rule(self) -> PlannedRule: ...

    @property
    def recipient(self) -> str: ...

    @property
    def platform(self) -> str: ...

    @property
    def target(self) -> str: ...

    @property
    def branch(self) -> str | None: ...


class Reminders(Protocol):
    """The campaign's reminders as planned ahead (`schedules.deliver.Deliverer`): the
    composition root wires them, and the Home view and /reminders ask them."""

    async def plan(self, start: datetime, end: datetime) -> Sequence[Upcoming]: ...


class _NotWired:
    async def plan(self, start: datetime, end: datetime) -> Sequence[Upcoming]:
        raise RuntimeError("the reminders are wired by the composition root (bot.app)")


class CommandList(Protocol):
    """The declared commands (`commands.Registry`), as far as a handler needs them: the
    commands sit above the services, so the services name them by this shape only."""

    def everything(self) -> Sequence[Listed]: ...

    def visible_to(self, organiser: bool) -> Sequence[Listed]: ...


@dataclass
class Services:
    settings: Settings
    campaign: Campaign
    store: Store
    clock: Clock
    branches: BranchDirectory
    make_answers: Callable[[], AnswerEngine]
    commands: CommandList
    outbox: Outbox = field(default_factory=Outbox)
    changes: Changes = field(default_factory=Changes)
    reminders: Reminders = field(default_factory=_NotWired)
    events: MeetingEvents = field(default_factory=MeetingEvents)  # a platform's own events

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
