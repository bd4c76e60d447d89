"""The campaign's state: an async repository over SQLite (default) or PostgreSQL.

`Store` groups one object per aggregate (`store.people`, `store.nominations`, ...), each
with a few typed methods over a shared engine and write queue. Records in and out are
the frozen types of `bot.campaign.domain`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import StartupError
from bot.store.audit import Audit
from bot.store.ballot import Ballot
from bot.store.base import StoreCore
from bot.store.boards import Boards
from bot.store.branches import Branches
from bot.store.broadcasts import Broadcasts
from bot.store.deliveries import DeliveryLog
from bot.store.engine import cannot_open, create_engine, migrate
from bot.store.experiments import Experiments
from bot.store.invitations import Invitations
from bot.store.leases import Leases
from bot.store.meetings import Meetings
from bot.store.nominations import Nominations
from bot.store.people import People
from bot.store.privacy import Privacy
from bot.store.questions import Questions
from bot.store.reports import Reports
from bot.store.requests import Requests
from bot.store.signins import SignIns


class Store:
    """The campaign's state. Open with `Store.open(url)`; close with `await store.close()`."""

    def __init__(self, engine: AsyncEngine):
        self.engine = engine
        self.core = StoreCore(engine)
        self.people = People(self.core)
        self.branches = Branches(self.core)
        self.meetings = Meetings(self.core)
        self.invitations = Invitations(self.core)
        self.nominations = Nominations(self.core)
        self.questions = Questions(self.core)
        self.deliveries = DeliveryLog(self.core)
        self.audit = Audit(self.core)
        self.privacy = Privacy(self.core)
        self.reports = Reports(self.core)
        self.leases = Leases(self.core)
        self.requests = Requests(self.core)
        self.ballot = Ballot(self.core)
        self.boards = Boards(self.core)
        self.broadcasts = Broadcasts(self.core)
        self.signins = SignIns(self.core)
        self.experiments = Experiments(self.core)

    @classmethod
    async def open(cls, url: str, *, migrate_schema: bool = True) -> Store:
        """Connect (and bring the schema up to date); StartupError, in one line naming
        the setting to change, if the database cannot be used."""
        try:
            engine = create_engine(url)
        except Exception as error:
            raise StartupError(cannot_open(url, error)) from None
        try:
            if migrate_schema:
                await migrate(engine)
            else:
                async with engine.connect():
                    pass
        except Exception as error:
            await engine.dispose()
            raise StartupError(cannot_open(url, error)) from None
        return cls(engine)

    async def close(self) -> None:
        try:
            await self.core.close()
        finally:
            await self.engine.dispose()

    @property
    def generation(self) -> int:
        """How many write transactions this store has finished (committed or not)."""
        return self.core.generation

    @property
    def backend(self) -> str:
        return self.engine.dialect.name


__all__ = ["Store"]
