"""The adapter contract: what every platform adapter is, in one screen.

An adapter translates one platform's events into calls on the neutral `AdapterServices`
(run a command, press a button, search branches, check an option), and renders the
neutral `Reply` it gets back. The same adapter sends the campaign's reminders, through
`send(target, reply, key)`: one platform client per process, for both jobs. (That half,
`Sender`, is declared in `bot.runtime.outbox`, below the adapters, for the services and
the reminders to name.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from bot.campaign.domain import Branch, User
from bot.runtime.changes import Listener
from bot.runtime.meeting_events import EventHost, MeetingEvents
from bot.runtime.messages import Button, Channel, Reply, SendOutcome, Target
from bot.runtime.outbox import Fence, Sender

if TYPE_CHECKING:
    from bot.store.boards import Board
    from bot.views.home import HomeView
    from commands import Registry


class Adapter(Sender, Protocol):
    """A platform: started and stopped as an async context, and a sender while it runs."""

    async def login(self) -> object:
        """Check the credentials with the platform (once: entering the context after this
        does not ask again); StartupError if it refuses them or cannot be reached."""
        ...

    async def __aenter__(self) -> Adapter: ...

    async def __aexit__(self, *exc: object) -> None: ...


class AdapterServices(Protocol):
    """All an adapter may call: the dispatcher's neutral entry points, nothing past them."""

    @property
    def commands(self) -> Registry: ...

    async def run(
        self,
        name: str,
        raw: Mapping[str, Any],
        user: User,
        channel: Channel,
        organiser: bool = False,
    ) -> Reply: ...

    async def run_line(
        self, line: str, user: User, channel: Channel, organiser: bool = False
    ) -> Reply: ...

    async def press(
        self, button: Button, user: User, channel: Channel, organiser: bool = False
    ) -> Reply: ...

    def search_branches(self, query: str, limit: int) -> list[Branch]:
        """Branches matching what someone has typed so far, best first."""
        ...

    def check_option(self, command: str, option: str, value: str | None) -> str | None:
        """Why `value` will not do for one option of a command, or None if it will."""
        ...

    async def first_time(self, key: str) -> bool:
        """Whether a request with this key (a platform's retry, a replay) is new."""
        ...

    def on_change(self, listener: Listener) -> None:
        """Call `listener` after each command that may have changed what is shown."""
        ...

    def host_events(self, host: EventHost) -> MeetingEvents:
        """`host` keeps each meeting as an event on its platform (Discord's scheduled
        events) from now on; closing what this returns stops it."""
        ...

    async def home(self, user: User, organiser: bool = False) -> HomeView:
        """The person's Home: their branch and reminders, or the organisers' overview."""
        ...

    async def board(self) -> Reply:
        """The live progress board's content."""
        ...

    async def boards(self, platform: str) -> list[Board]:
        """The channels on `platform` showing the board, with the message to edit."""
        ...

    async def board_posted(self, platform: str, channel_id: str, message_id: str | None) -> None:
        """Remember the board's message in a channel (None: post a new one next time)."""
        ...


__all__ = ["Adapter", "AdapterServices", "Fence", "SendOutcome", "Sender", "Target"]
