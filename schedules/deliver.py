"""Deliver: send what the plan says is due, exactly once, and keep the record.

Every message has a delivery record keyed by (rule, recipient, occurrence), claimed by the
process sending it (which holds the reminders lease, `bot.runtime.leader`). Right before the
platform call, after any wait for the rate limiter, the record is marked `sending` in a
write that compares the lease's epoch (the fence: a process paused past its lease stops
there, and re-claims instead of sending); as soon as the call returns it says `sent`. A
few sends are in flight at a time, so few are ever in doubt. After a crash, a message
left `sending` is first looked for on the platform (Slack: by its key in the message
metadata; Discord: by the key in a button's custom id) and marked sent if it is there;
it is sent again only once a look-up has answered that it is not: while the platform
cannot be asked (a 429 to the end), it waits for the next sweep. What was missed for
longer than the catch-up window is recorded as dropped, with the reason. Nothing marked
sent is ever sent again. Each sweep also sends the changes of meetings to those who had
their invitation (`schedules.meeting_updates`) and organisers' confirmed broadcasts
(`schedules.broadcasts`), by the same path.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.campaign.dates import plural, short_day
from bot.campaign.records import Delivery, DeliveryClaim
from bot.runtime.leader import Lease
from bot.runtime.messages import Reply, SendOutcome, Target
from bot.runtime.outbox import Sender
from bot.runtime.retention import purge_if_due
from bot.runtime.services import Services, Upcoming
from bot.store.deliveries import DeliveryLog, Owner
from schedules.broadcasts import send_broadcasts
from schedules.compose import Composer, Facts
from schedules.meeting_updates import send_meeting_updates
from schedules.planner import Planner
from schedules.plans import Planned, QuietHours, quiet_hours
from schedules.sending import SweepReport, all_or_none, nonce_for
from schedules.snapshot import plan_state

log = logging.getLogger(__name__)

SENDABLE = ("pending", "sending")

LAST_SWEPT = "last_swept_at"
CHUNK = 500  # records written or read per statement


class Deliverer:
    """Plans and sends the campaign's reminders for one store."""

    def __init__(
        self,
        services: Services,
        senders: Mapping[str, Sender],
        lease: Lease | None = None,
        concurrency: int = 16,
        charts: bool = True,
    ):
        self.services = services
        self.senders = dict(senders)
        self.lease = lease
        settings = services.settings
        self.zone: ZoneInfo = settings.zone
        self.quiet: QuietHours = quiet_hours(settings, services.campaign)
        self.catchup = timedelta(hours=settings.catchup_hours)
        self.planner = Planner(services.campaign, self.zone, self.quiet)
        self.composer = Composer(services.campaign, self.zone, services.branches, charts)
        # Sends under way at once: each holds a slot from its wait for the rate limiter
        # until its outcome is recorded, so at most this many are ever in doubt.
        self._slots = asyncio.Semaphore(concurrency)
        self._renewing = asyncio.Lock()
        self.sweeping = asyncio.Lock()  # one sweep at a time; shutdown waits for it
        self.stopping = False  # set on shutdown: finish what is in flight, start nothing

    async def plan(self, start: datetime, end: datetime) -> list[Planned]:
        """What will be sent in [start, end): not what a rule's holdout is kept from."""
        return [p for p in await self._plan(start, end) if not p.withheld]

    async def _plan(self, start: datetime, end: datetime) -> list[Planned]:
        state = await plan_state(self.services.store, self.services.settings.organisers)
        return self.planner.plan(state, start, end)

    async def sweep(self, now: datetime) -> SweepReport:
        """Send what is due, record what was missed, remember how far we got."""
        if self.lease is None:
            raise RuntimeError("sending needs the reminders lease")
        log_ = self.services.store.deliveries
        report = SweepReport()
        purged = await purge_if_due(self.services, by="the sweep")
        if purged is not None:
            log.info("purged personal data after the purge date: %s", purged)
        saved = await log_.state_value(LAST_SWEPT)
        last = datetime.fromisoformat(saved) if saved else now - self.catchup
        horizon = now - self.catchup
        plan = await self._plan(min(last, horizon), now + timedelta(seconds=1))
        plan = [p for p in plan if p.platform in self.senders]
        withheld = [p for p in plan if p.withheld]
        if withheld:  # a rule's holdout: recorded (for the report), never sent
            why = "holdout: this rule's wording experiment sends them nothing"
            claims = await self._claims([_claim(p, "withheld", why) for p in withheld], now)
            report.withheld = sum(1 for c in claims if c.status == "withheld")
            plan = [p for p in plan if not p.withheld]
        missed = [p for p in plan if last <= p.at < horizon]
        due = [p for p in plan if p.at >= horizon]
        report.due = len(due)
        owner = self.lease.owner()
        fence_lost = asyncio.Event()  # set once a fence refuses: the sweep stops
        if missed:
            why = "missed: the bot was not running within the catch-up window"
            claims = await self._claims([_claim(p, "dropped", why) for p in missed], now)
            report.dropped = sum(1 for c in claims if c.status == "dropped")
        if due:
            claims = await self._claims([_claim(p) for p in due], now)
            # Read (and draw) only for what is still to send: a digest sent an hour ago
            # is in the window again, but its chart need not be drawn again.
            waiting = [p for p, c in zip(due, claims, strict=True) if c.status in SENDABLE]
            if not waiting:  # all sent, or settled, already
                report.already += len(due)
            else:
                facts = await self.composer.facts(self.services.store, now, waiting)
                messaged = await self._messaged_today(due)
                jobs = []
                for item, claim in zip(due, claims, strict=True):
                    if claim.status not in SENDABLE:
                        report.already += 1
                        continue
                    if claim.claimed_by != owner.name:
                        report.held_elsewhere += 1
                        continue
                    if (
                        claim.status == "pending"
                        and item.audience == "volunteer"
                        and messaged.get((item.recipient, self._day(item)), 0)
                        >= self.services.campaign.limit_on(
                            self._day(item),
                            item.volunteer.meeting_date if item.volunteer else None,
                        )
                    ):
                        await log_.finish(claim.id, "skipped", now, "already messaged that day")
                        report.skipped += 1
                        continue
                    jobs.append(self._deliver(item, claim, facts, now, report, owner, fence_lost))
                await all_or_none(jobs)
        if not fence_lost.is_set():
            await send_meeting_updates(self, now, report, owner, fence_lost)
        if not fence_lost.is_set():
            await send_broadcasts(
                self, now, report, owner, fence_lost, self.catchup.total_seconds()
            )
        if fence_lost.is_set():
            log.warning("the reminders lease was lost during a sweep; sending stopped")
            return report  # re-claimed by the next sweep, under whoever holds the lease
        report.given_up = await log_.end_sweep(horizon, now, LAST_SWEPT, now.isoformat())
        if report.sent or report.dropped or report.failed or report.undeliverable:
            log.info(
                "reminders: %d sent, %d dropped, %d skipped, %d undeliverable, %d failed",
                report.sent,
                report.dropped,
                report.skipped,
                report.undeliverable,
                report.failed,
            )
        return report

    async def _claims(self, items: Sequence[DeliveryClaim], now: datetime) -> list[Delivery]:
        assert self.lease is not None
        claimed: list[Delivery] = []
        for start in range(0, len(items), CHUNK):
            claimed.extend(
                await self.services.store.deliveries.claim(
                    items[start : start + CHUNK], self.lease.owner(), now
                )
            )
        return claimed

    def _day(self, item: Planned) -> date:
        return item.at.astimezone(self.zone).date()

    async def _messaged_today(self, due: Sequence[Planned]) -> dict[tuple[str, date], int]:
        """How many messages each (volunteer, day) has had: the pack's daily limit at most."""
        by_day: dict[date, list[str]] = {}
        for item in due:
            if item.audience == "volunteer":
                by_day.setdefault(self._day(item), []).append(item.recipient)
        messaged: dict[tuple[str, date], int] = {}
        for day, recipients in by_day.items():
            start = datetime.combine(day, datetime.min.time(), tzinfo=self.zone)
            for first in range(0, len(recipients), CHUNK):
                sent = await self.services.store.deliveries.sent_to_on(
                    recipients[first : first + CHUNK], start, start + timedelta(days=1)
                )
                messaged.update({(recipient, day): n for recipient, n in sent.items()})
        return messaged

    async def _deliver(
        self,
        item: Planned,
        claim: Delivery,
        facts: Facts,
        now: datetime,
        report: SweepReport,
        owner: Owner,
        fence_lost: asyncio.Event,
    ) -> None:
        kind: Literal["user", "channel"] = "channel" if item.audience == "channel" else "user"
        status = await self.deliver_one(
            Target(item.platform, kind, item.target),
            lambda: self.composer.render(item, facts),
            claim,
            now,
            report,
            owner,
            fence_lost,
        )
        if status == "undeliverable" and item.volunteer is not None:
            await self.services.store.people.mark_undeliverable(item.volunteer.person_id, now)

    async def deliver_one(
        self,
        target: Target,
        render: Callable[[], Reply],
        claim: Delivery,
        now: datetime,
        report: SweepReport,
        owner: Owner,
        fence_lost: asyncio.Event,
    ) -> str | None:
        """Send one claimed message (`render` makes it, once it is to be sent) behind
        the fence; its outcome recorded and counted in `report`. The status it settled
        with ("sent", "undeliverable"), or None if it is left for a later sweep."""
        assert self.lease is not None
        log_ = self.services.store.deliveries
        sender = self.senders[target.platform]
        async with self._slots:
            if self.stopping:
                return None  # still claimed; the claim is given back as the process stops
            if fence_lost.is_set():
                report.fenced += 1
                return None
            if not self.lease.holds(owner.epoch) and not await self._renew_now(owner.epoch):
                # Not renewed in time: the lease may pass on, so leave it to its holder.
                fence_lost.set()
                report.fenced += 1
                return None
            outcome: SendOutcome | None = None
            if claim.status == "sending":  # this process, or another, stopped mid-send
                try:
                    ref = await sender.find_sent(target, claim.nonce)
                except Exception as error:  # nobody can tell: not sent again for now
                    log.warning("could not look for %s: %s", claim.rule_id, type(error).__name__)
                    report.unknown += 1
                    return None
                outcome = SendOutcome("sent", ref=ref) if ref is not None else None
            if outcome is None:
                fence = _Fence(self, log_, claim.id, owner, now)
                outcome = await self._send(sender, target, render(), claim, fence)
                if outcome.status == "fenced":
                    if fence.lost:
                        fence_lost.set()
                        report.fenced += 1
                    else:  # settled meanwhile (sent by another, say)
                        report.already += 1
                    return None
            if outcome.status == "failed":
                # Left to the next sweep, which tries again while it is still due.
                report.failed += 1
                return None
            await log_.finish(claim.id, outcome.status, now, outcome.detail, outcome.ref)
        if outcome.status == "sent":
            report.sent += 1
        else:
            report.undeliverable += 1
        return outcome.status

    async def _renew_now(self, epoch: int) -> bool:
        """The lease's renewal is late (a busy machine): renew it now, once for all the
        sends waiting, rather than pause them. False if it has been lost since `epoch`
        began: another process holds it, or it ran out (a pause) and was taken afresh."""
        assert self.lease is not None
        async with self._renewing:
            if not self.lease.holds(epoch):
                await self.lease.renew()
            return self.lease.holds(epoch)

    @staticmethod
    async def _send(
        sender: Sender, target: Target, reply: Reply, claim: Delivery, fence: _Fence
    ) -> SendOutcome:
        try:
            return await sender.send(target, reply, claim.nonce, fence)
        except Exception as error:  # a sender that fails unexpectedly is retried next time
            log.warning("sending %s failed: %s", claim.rule_id, type(error).__name__)
            return SendOutcome("failed", detail=type(error).__name__)


class _Fence:
    """One message's fence: entered right before its platform call, after any wait."""

    def __init__(
        self, deliverer: Deliverer, log_: DeliveryLog, delivery_id: int, owner: Owner, at: datetime
    ):
        self.deliverer = deliverer
        self.log = log_
        self.delivery_id = delivery_id
        self.owner = owner
        self.at = at
        self.lost = False  # refused because the lease was lost, not the message settled

    def holds(self) -> bool:
        lease = self.deliverer.lease
        held = lease is not None and lease.holds(self.owner.epoch)
        self.lost = self.lost or not held
        return held

    async def enter(self) -> bool:
        if not self.holds() and not await self.deliverer._renew_now(self.owner.epoch):
            return False
        self.lost = False
        # The fence proper: marked "sending" only while the lease's epoch is ours.
        if not await self.log.mark_sending(self.delivery_id, self.owner, self.at):
            lease = self.deliverer.lease
            self.lost = lease is None or not lease.holds(self.owner.epoch)
            return False
        # The write may itself have been paused past the lease: then not now either.
        return self.holds()


def _claim(item: Planned, status: str = "pending", detail: str | None = None) -> DeliveryClaim:
    return DeliveryClaim(
        rule_id=item.rule.id,
        recipient=item.recipient,
        occurrence=item.occurrence,
        audience=item.audience,
        platform=item.platform,
        person_id=item.volunteer.person_id if item.volunteer else None,
        branch_code=item.branch,
        due_at=item.at,
        nonce=nonce_for(item.rule.id, item.recipient, item.occurrence),
        status=status,
        detail=detail,
        variant=item.variant,
    )


def summarise(plan: Sequence[Upcoming]) -> list[str]:
    """One line per rule: when, how many messages, to how many recipients."""
    by_rule: dict[str, list[Upcoming]] = {}
    for item in plan:
        by_rule.setdefault(item.rule.id, []).append(item)
    lines = []
    for rule_id, items in by_rule.items():
        first, last = items[0].at, items[-1].at
        when = (
            short_day(first.date())
            if first.date() == last.date()
            else (f"{short_day(first.date())} to {short_day(last.date())}")
        )
        people = len({i.recipient for i in items})
        lines.append(
            f"{rule_id}: {plural(len(items), 'message')} to {plural(people, 'recipient')}, {when}"
        )
    return lines
