"""What the sweep's senders share: the tally of a sweep, each message's stable key
(its nonce), running sends together, and what a sender of single messages offers
(`Sending`: the deliverer, as the meeting updates use it)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.campaign.records import Delivery
from bot.runtime.messages import Reply, Target
from bot.runtime.outbox import Sender
from bot.runtime.services import Services
from bot.store.deliveries import Owner
from schedules.plans import QuietHours


@dataclass
class SweepReport:
    due: int = 0
    sent: int = 0
    dropped: int = 0
    skipped: int = 0
    undeliverable: int = 0
    failed: int = 0
    given_up: int = 0
    already: int = 0
    held_elsewhere: int = 0  # claimed by a sender whose claim has not yet run out
    unknown: int = 0  # cut short earlier, and the platform could not be asked yet
    fenced: int = 0  # not sent: the lease was lost (a pause past it), to be re-claimed
    withheld: int = 0  # a wording experiment's holdout: recorded, not sent
    details: list[str] = field(default_factory=list)


def nonce_for(rule: str, recipient: str, occurrence: str) -> str:
    """Stable per message, at most 25 characters, as Discord requires."""
    return hashlib.sha256(f"{rule}|{recipient}|{occurrence}".encode()).hexdigest()[:24]


async def all_or_none(jobs: Sequence[Coroutine[Any, Any, None]]) -> None:
    """Run the sends together. If one ends the sweep (the process is stopping), the
    others are cancelled and awaited, so none is left writing to a store being closed."""
    tasks = [asyncio.ensure_future(job) for job in jobs]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


class Sending(Protocol):
    """A sweep's sender of claimed messages (`schedules.deliver.Deliverer`)."""

    @property
    def services(self) -> Services: ...

    @property
    def senders(self) -> Mapping[str, Sender]: ...

    @property
    def zone(self) -> ZoneInfo: ...

    @property
    def quiet(self) -> QuietHours: ...

    async def deliver_one(
        self,
        target: Target,
        render: Callable[[], Reply],
        claim: Delivery,
        now: datetime,
        report: SweepReport,
        owner: Owner,
        fence_lost: asyncio.Event,
    ) -> str | None: ...
