"""A store with volunteers in every state the reminders care about."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from bot.adapters.base import Fence, Sender, SendOutcome, Target
from bot.campaign.domain import NominationReport, User
from bot.runtime.leader import Lease
from bot.runtime.messages import Reply
from bot.runtime.services import Services
from bot.store import Store
from schedules.deliver import Deliverer
from tests.conftest import LONDON

BEFORE = datetime(2019, 8, 30, 12, 0, tzinfo=LONDON)

NO_MEETING = User("console", "nia", "Nia")  # DWP Leeds: no meeting yet
MEETING = User("console", "mo", "Mo")  # HMRC Bootle: meeting on 3 October
DONE = User("console", "dee", "Dee")  # DWP Sheffield: already nominated
OPTED_OUT = User("console", "otto", "Otto")  # MoJ Bristol: opted out
LATE_NIGHT = User("console", "lara", "Lara")  # DWP Newcastle: signed up at 23:30
SNOOZED = User("console", "sam", "Sam")  # HMRC Nottingham: snoozed until 12 September
ORGANISER = "console:olive"
CHANNEL = "campaign-channel"


async def seed(store: Store) -> None:
    for user, branch in (
        (NO_MEETING, "DWP-LEEDS"),
        (MEETING, "HMRC-BOOT"),
        (DONE, "DWP-SHEFF"),
        (OPTED_OUT, "MOJ-BRIS"),
        (SNOOZED, "HMRC-NOTT"),
    ):
        await store.people.sign_up(user, branch, "consent", BEFORE)
    await store.people.sign_up(
        LATE_NIGHT, "DWP-NEWC", "consent", datetime(2019, 9, 25, 23, 30, tzinfo=LONDON)
    )
    await store.meetings.record(MEETING, "HMRC-BOOT", date(2019, 10, 3), date(2019, 9, 18), BEFORE)
    await store.nominations.record(
        NominationReport("DWP-SHEFF", "nominated", None, date(2019, 9, 20), DONE, BEFORE)
    )
    await store.people.set_opted_out(OPTED_OUT, True, BEFORE)
    await store.people.snooze(SNOOZED, datetime(2019, 9, 12, 12, 0, tzinfo=LONDON))
    await store.deliveries.subscribe("console", CHANNEL, User("console", "olive", "olive"), BEFORE)


_leases: dict[int, Lease] = {}


async def sending(services: Services, senders: Mapping[str, Sender]) -> Deliverer:
    """A deliverer holding the reminders lease, as a sending process would; deliverers
    made for one store in one test share the process's lease."""
    lease = _leases.get(id(services.store))
    if lease is None or lease.store is not services.store:
        # An hour's lease: long tests step through many sweeps without renewing it.
        lease = Lease(services.store, "test", 3600)
        _leases[id(services.store)] = lease
    await lease.acquire(wait=0, poll=0.1)
    return Deliverer(services, senders, lease)


class RecordingSender:
    """A sender that keeps what it was asked to send; `unreachable` people cannot be
    messaged (their DMs are closed)."""

    def __init__(
        self,
        platform: str = "console",
        outcome: str = "sent",
        unreachable: frozenset[str] = frozenset(),
    ):
        self.platform = platform
        self.outcome = outcome
        self.unreachable = unreachable
        self.sent: list[tuple[Target, Reply, str]] = []

    @property
    def replies(self) -> list[tuple[Target, Reply]]:
        """What was sent, to whom, without the keys."""
        return [(target, reply) for target, reply, _ in self.sent]

    async def find_sent(self, target: Target, key: str) -> str | None:
        return None

    async def send(
        self, target: Target, reply: Reply, nonce: str, fence: Fence | None = None
    ) -> SendOutcome:
        if fence is not None and not await fence.enter():
            return SendOutcome("fenced")
        if target.id in self.unreachable:
            return SendOutcome("undeliverable", detail="cannot message this user")
        self.sent.append((target, reply, nonce))
        return SendOutcome(self.outcome, ref=nonce)  # type: ignore[arg-type]
