"""Delivery: send what the plan says is due, exactly once, and keep the record.

Every message has a delivery record keyed by (rule, recipient, occurrence). The record
is written, as pending, before anything is sent, and its outcome after. A sweep sends
what is due within the catch-up window and has no record yet (or only a pending one,
left by a process that stopped mid-send: that one is sent again, with the same nonce, so
a platform that honours nonces shows it once). What was missed for longer is recorded as
dropped, with the reason. Nothing marked sent is ever sent again.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from aiolimiter import AsyncLimiter

from bot.dates import day_name, plural, short_day
from bot.messages import Attachment, Button, Reply
from bot.services import Services
from schedules.planner import (
    ChannelState,
    OrganiserState,
    Planned,
    Planner,
    PlanState,
    QuietHours,
    VolunteerState,
)

log = logging.getLogger(__name__)

LAST_SWEPT = "last_swept_at"
CHUNK = 500  # records written or read per statement
SNOOZE_DAYS = 2


@dataclass(frozen=True, slots=True)
class Target:
    platform: str
    kind: Literal["user", "channel"]
    id: str


@dataclass(frozen=True, slots=True)
class SendOutcome:
    status: Literal["sent", "undeliverable", "failed"]
    ref: str | None = None
    detail: str | None = None


class Sender(Protocol):
    """Sends one message on one platform. Implementations honour the platform's limits."""

    platform: str

    async def send(self, target: Target, reply: Reply, nonce: str) -> SendOutcome: ...


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
    details: list[str] = field(default_factory=list)


def paced(per_second: float) -> AsyncLimiter:
    """A limiter for `per_second` sends: over each quarter second, never a bigger burst.

    A short window keeps bursts small (a platform's own bucket allows a second's worth),
    and a window longer than one send absorbs timer jitter that would otherwise cost a
    tenth of the rate.
    """
    window = 0.25
    return AsyncLimiter(max(1.0, per_second * window), window)


def nonce_for(rule: str, recipient: str, occurrence: str) -> str:
    """Stable per message, at most 25 characters, as Discord requires."""
    return hashlib.sha256(f"{rule}|{recipient}|{occurrence}".encode()).hexdigest()[:24]


def reminder_buttons(branch_code: str) -> tuple[Button, ...]:
    return (
        Button("Done", "done", {"branch": branch_code}, "primary"),
        Button(f"Snooze {SNOOZE_DAYS} days", "snooze"),
        Button("Need help", "needhelp", {"branch": branch_code}),
    )


class Deliverer:
    """Plans and sends the campaign's reminders for one store."""

    def __init__(
        self,
        services: Services,
        senders: Mapping[str, Sender],
        concurrency: int = 32,
    ):
        self.services = services
        self.senders = dict(senders)
        settings = services.settings
        self.zone: ZoneInfo = settings.zone
        self.quiet = QuietHours(settings.quiet_start, settings.quiet_end)
        self.catchup = timedelta(hours=settings.catchup_hours)
        self.planner = Planner(services.campaign, self.zone, self.quiet)
        self._slots = asyncio.Semaphore(concurrency)
        self.sweeping = asyncio.Lock()  # one sweep at a time; shutdown waits for it

    # --- the state the plan is made from ---------------------------------------------

    async def snapshot(self) -> PlanState:
        store = self.services.store
        volunteers = [
            VolunteerState(
                person_id=row["person_id"],
                platform=row["platform"],
                user_id=row["platform_user_id"],
                name=row["display_name"],
                branch_code=row["branch_code"],
                branch_name=row["branch_name"],
                signed_up_at=row["signed_up_at"],
                opted_out=bool(row["opted_out"]),
                snoozed_until=row["snoozed_until"],
                undeliverable=row["undeliverable_at"] is not None,
                meeting_date=row["meeting_date"],
                has_outcome=row["outcome"] is not None,
            )
            for row in await store.plan_snapshot()
        ]
        channels = [
            ChannelState(row["platform"], row["channel_id"], row["subscribed_at"])
            for row in await store.broadcast_channels()
        ]
        organisers = []
        for identity in self.services.settings.organisers:
            platform, _, user_id = identity.partition(":")
            if user_id:
                organisers.append(OrganiserState(platform, user_id))
        return PlanState(volunteers, channels, organisers)

    async def plan(self, start: datetime, end: datetime) -> list[Planned]:
        return self.planner.plan(await self.snapshot(), start, end)

    # --- sweeping ---------------------------------------------------------------------

    async def sweep(self, now: datetime) -> SweepReport:
        """Send what is due, record what was missed, remember how far we got."""
        store = self.services.store
        report = SweepReport()
        saved = await store.state_value(LAST_SWEPT)
        last = datetime.fromisoformat(saved) if saved else now - self.catchup
        horizon = now - self.catchup
        plan = await self.plan(min(last, horizon), now + timedelta(seconds=1))
        plan = [p for p in plan if p.platform in self.senders]
        missed = [p for p in plan if last <= p.at < horizon]
        due = [p for p in plan if p.at >= horizon]
        report.due = len(due)
        if missed:
            claims = await self._claims(
                [
                    self._claim(
                        p,
                        now,
                        "dropped",
                        "missed: the bot was not running within the catch-up window",
                    )
                    for p in missed
                ]
            )
            report.dropped = sum(1 for c in claims if c["status"] == "dropped")
        if due:
            claims = await self._claims([self._claim(p, now) for p in due])
            facts = await self._facts(now, due)
            messaged = await self._messaged_today(due)
            jobs = []
            for item, claim in zip(due, claims, strict=True):
                if claim["status"] != "pending":
                    report.already += 1
                    continue
                if item.audience == "volunteer" and (item.recipient, self._day(item)) in messaged:
                    await store.finish_delivery(
                        claim["id"], "skipped", now, "already messaged that day"
                    )
                    report.skipped += 1
                    continue
                jobs.append(self._deliver(item, claim, facts, now, report))
            await asyncio.gather(*jobs)
        report.given_up = await store.give_up_pending(horizon, now)
        await store.set_state_value(LAST_SWEPT, now.isoformat())
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

    async def _claims(self, items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
        claimed: list[Mapping[str, Any]] = []
        for start in range(0, len(items), CHUNK):
            claimed.extend(await self.services.store.claim_deliveries(items[start : start + CHUNK]))
        return claimed

    def _claim(
        self, item: Planned, now: datetime, status: str = "pending", detail: str | None = None
    ) -> dict[str, Any]:
        return {
            "rule_id": item.rule.id,
            "recipient": item.recipient,
            "occurrence": item.occurrence,
            "audience": item.audience,
            "platform": item.platform,
            "person_id": item.volunteer.person_id if item.volunteer else None,
            "branch_code": item.branch,
            "due_at": item.at,
            "status": status,
            "attempts": 0,
            "nonce": nonce_for(item.rule.id, item.recipient, item.occurrence),
            "detail": detail,
            "created_at": now,
            "updated_at": now,
        }

    def _day(self, item: Planned) -> date:
        return item.at.astimezone(self.zone).date()

    async def _messaged_today(self, due: Sequence[Planned]) -> set[tuple[str, date]]:
        """(volunteer, day) pairs that already had a message that day: one a day at most."""
        by_day: dict[date, list[str]] = {}
        for item in due:
            if item.audience == "volunteer":
                by_day.setdefault(self._day(item), []).append(item.recipient)
        messaged: set[tuple[str, date]] = set()
        for day, recipients in by_day.items():
            start = datetime.combine(day, datetime.min.time(), tzinfo=self.zone)
            for first in range(0, len(recipients), CHUNK):
                sent = await self.services.store.sent_to_on(
                    recipients[first : first + CHUNK], start, start + timedelta(days=1)
                )
                messaged |= {(recipient, day) for recipient in sent}
        return messaged

    async def _deliver(
        self,
        item: Planned,
        claim: Mapping[str, Any],
        facts: Mapping[str, Any],
        now: datetime,
        report: SweepReport,
    ) -> None:
        store = self.services.store
        reply = self.render(item, facts)
        kind: Literal["user", "channel"] = "channel" if item.audience == "channel" else "user"
        target = Target(item.platform, kind, item.target)
        async with self._slots:
            try:
                outcome = await self.senders[item.platform].send(target, reply, claim["nonce"])
            except Exception as error:  # a sender that fails unexpectedly is retried next time
                log.warning("sending %s failed: %s", item.rule.id, type(error).__name__)
                outcome = SendOutcome("failed", detail=type(error).__name__)
        if outcome.status == "failed":
            # Leave it pending: the next sweep tries again while it is still due.
            report.failed += 1
            return
        await store.finish_delivery(claim["id"], outcome.status, now, outcome.detail, outcome.ref)
        if outcome.status == "sent":
            report.sent += 1
        else:
            report.undeliverable += 1
            if item.volunteer is not None:
                await store.mark_undeliverable(item.volunteer.person_id, now)

    # --- wording ----------------------------------------------------------------------

    async def _facts(self, now: datetime, due: Sequence[Planned]) -> dict[str, Any]:
        store = self.services.store
        tally = await store.tally()
        facts: dict[str, Any] = {"tally": tally}
        if any(p.audience == "organisers" for p in due):
            facts["digest"] = await store.digest_facts(
                now - timedelta(days=1), now.astimezone(self.zone).date()
            )
            from bot.chart import progress_png

            facts["chart"] = progress_png(
                await store.nomination_timeline(), self.services.campaign, now
            )
        return facts

    def render(self, item: Planned, facts: Mapping[str, Any]) -> Reply:
        campaign = self.services.campaign
        tally = facts["tally"]
        at = item.at.astimezone(self.zone)
        threshold = campaign.rules.nomination_threshold
        fields = {
            "name": "",
            "branch": "",
            "branch_code": "",
            "meeting_date": "",
            "days_left": str(max(0, (campaign.nominations_close.date() - at.date()).days)),
            "notice_days_left": str(max(0, (campaign.notice_cutoff - at.date()).days)),
            "nominated": str(tally.nominated),
            "verified": str(tally.nominated_verified),
            "needed": str(max(0, threshold - tally.nominated)),
            "digest": "",
        }
        buttons: tuple[Button, ...] = ()
        volunteer = item.volunteer
        if volunteer is not None:
            fields.update(
                name=volunteer.name,
                branch=volunteer.branch_name,
                branch_code=volunteer.branch_code,
                meeting_date=day_name(volunteer.meeting_date) if volunteer.meeting_date else "",
            )
            buttons = reminder_buttons(volunteer.branch_code)
        attachment = None
        if item.audience == "organisers":
            fields["digest"] = self._digest(at.date(), tally, facts.get("digest") or {})
            if facts.get("chart"):
                attachment = Attachment(f"progress-{at:%Y-%m-%d}.png", facts["chart"], "image/png")
        text = campaign.fill(item.rule.text, fields)
        if item.audience != "organisers":
            text = " ".join(text.split())
        return Reply(text=text, buttons=buttons, attachment=attachment, ephemeral=False)

    def _digest(self, today: date, tally: Any, facts: Mapping[str, Any]) -> str:
        campaign = self.services.campaign
        lines = [f"Organisers' digest, {short_day(today)}."]
        reports = facts.get("reports") or []
        if reports:
            listed = ", ".join(f"{r['name']} ({r['outcome']})" for r in reports[:10])
            more = f" and {len(reports) - 10} more" if len(reports) > 10 else ""
            lines.append(f"New reports in the last day: {len(reports)}: {listed}{more}.")
        else:
            lines.append("New reports in the last day: none.")
        stuck = facts.get("stuck") or []
        if stuck:
            lines.append(f"Met but no result reported: {len(stuck)}: {', '.join(stuck[:10])}.")
        if facts.get("undeliverable"):
            lines.append(f"Volunteers I could not message: {facts['undeliverable']}.")
        if facts.get("unanswered"):
            lines.append(f"Unanswered questions: {facts['unanswered']} (see /questions).")
        for ask in (facts.get("help") or [])[:10]:
            branch = self.services.branches.get(ask["branch_code"] or "")
            where = f" ({branch.name})" if branch else ""
            lines.append(f"Asked for help: {ask['display_name']} on {ask['platform']}{where}.")
        threshold = campaign.rules.nomination_threshold
        lines.append(
            f"Progress: {tally.nominated} of {threshold} ({tally.nominated_verified} verified); "
            f"{plural(max(0, (campaign.nominations_close.date() - today).days), 'day')} left."
        )
        return "\n".join(lines)


def summarise(plan: Sequence[Planned]) -> list[str]:
    """One line per rule: when, how many messages, to how many recipients."""
    by_rule: dict[str, list[Planned]] = {}
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
