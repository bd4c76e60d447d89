"""Play a whole campaign hour by hour on a simulated clock, and check every hour.

Each simulated hour: the reminder sweep runs (the bot's own `Deliverer`, sending on the
stand-in platforms), the oracle checks each message that went out, the crowd's commands
for the hour run through the dispatcher as chat users' do, and the views are checked.

What is checked when (so that 300 supporters take seconds, not minutes, per campaign):
- every hour: every message sent (night, opted out, erased, snoozed, branch done, phase,
  doubled), every reply to the crowd (no errors, advice fits the phase), and the tally
  in /progress against the oracle's;
- every hour where a branch's records changed: /branch for each branch that changed;
- every day at noon, and at the first hour of each phase: /branch for every branch,
  /pipeline (and for every region and group at phase boundaries and on Mondays),
  every export (the nominations export row by row), /reminders and a rotating tenth of
  the supporters' /mydata;
- the chart (/progress chart:true) on Mondays and at phase boundaries; the organisers'
  digest, with its chart, every day it is due (the sweep sends it);
- once the purge date has passed and a sweep has run: /mydata of every supporter;
- at the end: each one-off broadcast reached each channel once, and the store's delivery
  log has nothing left sending, failed or dropped (checked before the purge removes it).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time as clock_time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.app import campaign_dir
from bot.campaign import load_campaign
from bot.clock import Clock
from bot.domain import User
from bot.messages import Channel, Reply
from bot.rehearse.crowd import CHANNELS, ORGANISERS, Action, Crowd
from bot.rehearse.oracle import Oracle
from bot.rehearse.platforms import Killed, Platform, Sent
from bot.rehearse.process import Bot, Faults
from bot.rehearse.rules import read_pack
from bot.settings import Settings

SORRY = "Sorry, something went wrong"
# What the crowd does that can bring a reminder due later the same day.
PLANNED = frozenset({"volunteer", "meeting", "nominate", "optin", "optout", "snooze", "subscribe"})


@dataclass
class Options:
    supporters: int = 300
    seed: int = 1
    start: datetime | None = None
    end: datetime | None = None
    faults: bool = False
    plant: str | None = None  # a known bug to plant: "count-future-meetings"


@dataclass
class Result:
    supporters: int
    seed: int
    start: str
    end: str
    hours: int = 0
    swept_hours: int = 0
    commands: int = 0
    messages: int = 0
    violations: list[str] = field(default_factory=list)
    threshold_reached_on: str | None = None
    seconds: float = 0.0
    messages_by_rule: dict[str, int] = field(default_factory=dict)
    messages_by_phase: dict[str, int] = field(default_factory=dict)
    counted_by_week: dict[str, int] = field(default_factory=dict)
    faults: dict[str, object] = field(default_factory=dict)


class ErrorLog(logging.Handler):
    """Errors the bot logs while rehearsing: each one is a violation."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(f"{record.name}: {record.getMessage()}")


class Rehearsal:
    def __init__(self, settings: Settings, options: Options):
        self.options = options
        zone = settings.zone
        self.pack = read_pack(
            campaign_dir(settings), zone, (settings.quiet_start, settings.quiet_end)
        )
        pack = self.pack
        self.start = options.start or pack.open - timedelta(days=7)
        self.end = options.end or pack.purge_after + timedelta(days=31)
        self.clock = Clock(zone, start=self.start, frozen=True)
        self.settings = settings.model_copy(
            update={"organisers": [f"{p}:{u}" for p, u in ORGANISERS], "lease_seconds": 3.0}
        )
        self.campaign = load_campaign(campaign_dir(settings))
        self.oracle = Oracle(pack)
        self.crowd = Crowd(pack, options.supporters, options.seed, self.start)
        self.log: list[Sent] = []
        self.platforms = {
            p: Platform(p, self.clock.now, self.log) for p in ("console", "slack", "discord")
        }
        self.result = Result(
            options.supporters, options.seed, self.start.isoformat(), self.end.isoformat()
        )
        self.faults = (
            Faults(random.Random(options.seed * 7919), self.start, self.end)
            if options.faults
            else None
        )
        self.bot: Bot | None = None
        self._checked = 0
        self._purge_checked = False
        self._rotation = 0
        self._due: set[datetime] = set()

    # --- commands ------------------------------------------------------------------------

    async def say(
        self, platform: str, user: str, line: str, organiser: bool = False, channel: str = ""
    ) -> Reply:
        assert self.bot is not None
        who = User(platform, user, user)
        where = Channel(channel or f"dm-{user}", is_direct=not channel)
        reply = await self.bot.dispatcher.run_line(line, who, where, organiser)
        self.result.commands += 1
        if reply.prompt and reply.buttons and line.startswith("/volunteer"):
            reply = await self._choose(reply, who, where, line)
        if reply.text.startswith(SORRY):
            self.oracle.flag(self.clock.now(), f"{line.split()[0]} failed: {reply.text}")
        return reply

    async def _choose(self, reply: Reply, who: User, where: Channel, line: str) -> Reply:
        """Which branch did you mean? The one the person meant, or their code typed out."""
        assert self.bot is not None
        wanted = next((a for a in self.crowd.actions if a.line == line), None)
        for button in reply.buttons:
            if wanted and button.options.get("branch") == wanted.branch:
                self.result.commands += 1
                return await self.bot.dispatcher.press(button, who, where)
        if wanted:
            self.result.commands += 1
            return await self.bot.dispatcher.run_line(
                f"/volunteer branch:{wanted.branch} consent:yes", who, where
            )
        return reply

    async def act(self, action: Action) -> None:
        self.clock.set(action.at)
        oracle, now = self.oracle, action.at
        who = oracle.person(action.platform, action.user)
        if who.erased and action.kind != "volunteer":
            return
        reply = await self.say(
            action.platform, action.user, action.line, action.organiser, action.channel
        )
        text, ok = reply.text, not reply.is_error
        kind, code, data = action.kind, action.branch, action.data
        if kind == "volunteer":
            oracle.signed_up(who, text)
            oracle.advice("volunteer", text, now)
        elif kind in ("help", "ask"):
            oracle.advice(kind, text, now)
        elif kind == "progress":
            oracle.check_progress(text, now)
        elif not ok:
            return
        elif kind == "meeting" and text.startswith("Thanks! Recorded"):
            oracle.meeting(code, data["date"], data["notice"])  # type: ignore[arg-type]
        elif kind == "nominate" and text.startswith("Thanks! Recorded"):
            oracle.nominated(code, str(data["outcome"]), data["date"])  # type: ignore[arg-type]
        elif kind == "formsent" and text.startswith("Thanks! Recorded"):
            on = data.get("date")
            sent = now
            if isinstance(on, date) and on < oracle.today(now):
                sent = datetime.combine(on, time.min, tzinfo=self.pack.zone)
            oracle.form(code, str(data["official"]), sent)
        elif kind == "verify" and text.startswith("Verified"):
            oracle.verify(code)
        elif kind == "optout":
            who.opted_out = True
        elif kind == "optin":
            who.opted_out = False
        elif kind == "snooze":
            who.snoozed_until = now + timedelta(days=2)
        elif kind == "forgetme":
            who.erased, who.volunteer = True, False
        elif kind == "voted":
            who.voted = True

    # --- the hours -----------------------------------------------------------------------

    async def run(self) -> Result:
        started = clock_time.perf_counter()
        errors = ErrorLog()
        logging.getLogger().addHandler(errors)
        try:
            await self._run()
        finally:
            logging.getLogger().removeHandler(errors)
            if self.bot is not None:
                await self.bot.stop()
            if self.second is not None:
                await self.second.stop()
        for seen in errors.seen[:20]:
            self.oracle.flag(self.end, f"error logged: {seen}")
        result = self.result
        result.violations = list(self.oracle.violations)
        result.messages = len(self.log)
        result.messages_by_rule = dict(Counter(s.rule for s in self.log))
        result.messages_by_phase = dict(Counter(self.pack.phase(s.at) for s in self.log))
        if self.faults is not None:
            result.faults = {
                **self.faults.done,
                "second_sender_from": self.faults.second_from.isoformat()
                if self.faults.second_from
                else None,
            }
        result.seconds = round(clock_time.perf_counter() - started, 2)
        return result

    async def _run(self) -> None:
        self.second: Bot | None = None
        self.bot = await self._start("bot-1")
        hour = self.start.replace(minute=0, second=0, microsecond=0)
        actions = iter(self.crowd.actions)
        pending = next(actions, None)
        boundaries = sorted(b for b in self.pack.boundaries() if self.start < b <= self.end)
        n = 1
        acted = False
        while hour < self.end:
            self.clock.set(hour)
            boundary = bool(boundaries) and hour >= boundaries[0]
            while boundaries and hour >= boundaries[0]:
                boundaries.pop(0)
            acting = pending is not None and pending.at < hour + timedelta(hours=1)
            self.result.hours += 1
            if hour.astimezone(self.pack.zone).hour == 0:
                await self._plan_ahead(hour)
            if not self._live(hour, acting or acted or boundary):
                hour += timedelta(hours=1)
                continue
            self.result.swept_hours += 1
            await self._sweep(hour)
            if self.faults is not None and hour in self.faults.restarts:
                await self.bot.stop()
                n += 1
                self.bot = await self._start(f"bot-{n}")
                self.faults.done["restarts"] += 1
            acted = acting
            replan = False
            while pending is not None and pending.at < hour + timedelta(hours=1):
                await self.act(pending)
                replan = replan or pending.kind in PLANNED
                pending = next(actions, None)
            if replan:
                await self._plan_ahead(hour + timedelta(hours=1))
            self.clock.set(hour + timedelta(minutes=59))
            await self._check(hour, boundary)
            hour += timedelta(hours=1)
        self.clock.set(self.end)
        self.oracle.check_broadcasts(self.log, len(CHANNELS), self.start, self.end)

    def _live(self, hour: datetime, busy: bool) -> bool:
        """Whether to sweep and check at `hour` (see the module's docstring)."""
        local = hour.astimezone(self.pack.zone)
        faults = self.faults
        if busy or hour in self._due or local.hour == 0:
            return True
        if local.hour == 12 and local.weekday() == 0:
            return True
        if hour + timedelta(hours=1) == self.pack.purge_after:
            return True
        return faults is not None and (hour in faults.kills or hour in faults.restarts)

    async def _plan_ahead(self, start: datetime) -> None:
        """The hours at which the bot's own plan has something due, to the day's end."""
        assert self.bot is not None
        local = start.astimezone(self.pack.zone)
        midnight = datetime.combine(local.date() + timedelta(days=1), time.min, self.pack.zone)
        for item in await self.bot.deliverer.plan(start, midnight):
            at = item.at.astimezone(self.pack.zone)
            hour = at.replace(minute=0, second=0, microsecond=0)
            self._due.add(hour if at == hour else hour + timedelta(hours=1))

    async def _start(self, name: str, wait: float | None = None) -> Bot:
        bot = Bot(name, self.settings, self.clock, self.campaign, self.platforms)
        await bot.start(wait=self.settings.lease_seconds * 3 if wait is None else wait)
        return bot

    async def _sweep(self, hour: datetime) -> None:
        assert self.bot is not None
        faults = self.faults
        killing = faults is not None and hour in faults.kills
        if killing:
            self.bot.process.kill_after = random.Random(hour.timestamp()).randint(1, 4)
        if faults is not None and faults.second_from is not None and hour >= faults.second_from:
            await self._second_sender(hour)
        await self.bot.take(self.settings.lease_seconds * 3)
        with contextlib.suppress(Killed):
            await self.bot.sweep(hour)
        if killing:
            assert faults is not None
            await self.bot.kill()
            faults.done["kills"] += 1
            self.bot = await self._start(f"bot-{hour:%m%d%H}", wait=0)
            if self.second is not None:  # the restarted bot and the second race for the lease
                await asyncio.gather(
                    self._race(hour), self.bot.take(self.settings.lease_seconds * 3)
                )
            await self.bot.take(self.settings.lease_seconds * 3)
            await self.bot.sweep(hour)  # the restarted bot catches up
        self._messages()

    async def _second_sender(self, hour: datetime) -> None:
        """A second process (send-due from cron, say): it sends only if it gets the lease."""
        if self.second is None:
            self.second = await self._start("second-sender", wait=0)
        if await self.second.take(0):
            with contextlib.suppress(Killed):
                await self.second.sweep(hour)
            await self.second.lease.release()
            self.second.lost = True
            await self.second._cancel_renewal()
        self._messages()

    async def _race(self, hour: datetime) -> None:
        assert self.second is not None and self.bot is not None
        while not self.bot.lease.valid:
            if await self.second.take(0):
                await self._second_sender(hour)
                return
            await asyncio.sleep(0.05)

    def _messages(self) -> None:
        for sent in self.log[self._checked :]:
            self.oracle.check_message(sent)
        self._checked = len(self.log)

    # --- the checks ----------------------------------------------------------------------

    async def _check(self, hour: datetime, boundary: bool) -> None:
        oracle, now = self.oracle, self.clock.now()
        olive = ORGANISERS[0]
        local = hour.astimezone(self.pack.zone)
        # The tally changes only with a report or as a day begins (a meeting is held).
        if oracle.changed or local.hour == 0 or boundary:
            progress = await self.say(*olive, "/progress", organiser=True)
            oracle.check_progress(progress.text, now)
        _, counted, _ = oracle.tally(now)
        if counted >= self.pack.threshold and self.result.threshold_reached_on is None:
            self.result.threshold_reached_on = now.date().isoformat()
        local = hour.astimezone(self.pack.zone)
        weekly = local.hour == 12 and local.weekday() == 0
        if weekly:
            self.result.counted_by_week[local.date().isoformat()] = counted
        if weekly or boundary:
            branches = [b.code for b in self.pack.branches]
        else:
            branches = sorted(oracle.changed)
            if local.hour == 0:  # meetings on this day are held now: they may count
                today = local.date()
                branches += [c for c, b in oracle.branches.items() if b.at_meeting == today]
        for code in branches:
            reply = await self.say(*olive, f"/branch branch:{code}", organiser=True)
            oracle.check_branch(code, reply.text, now)
        oracle.changed.clear()
        if weekly or boundary:
            await self._views(now, everything=boundary)
        elif local.hour == 12:
            reply = await self.say(*olive, "/export what:nominations", organiser=True)
            if reply.attachment is not None:
                oracle.check_export(reply.attachment.content.decode(), now)
        daily = local.hour == 12
        if oracle.purge_due(now) and not self._purge_checked:
            await self._purged(now, everyone=True)
            self._purge_checked = True
        elif oracle.purge_due(now) and daily:
            await self._purged(now, everyone=False)
        if local.hour == 23 or hour + timedelta(hours=1) == self.pack.purge_after:
            await self._delivery_log(now)

    async def _views(self, now: datetime, everything: bool) -> None:
        """Every organiser and supporter view runs, and the nominations export agrees."""
        olive = ORGANISERS[0]
        filters = [""]
        if everything:
            filters += [f" region:{r}" for r in sorted({b.region for b in self.pack.branches})]
            filters += [f" group:{g}" for g in sorted({b.group for b in self.pack.branches})]
        for extra in filters:
            await self.say(*olive, f"/pipeline{extra}", organiser=True)
        for what in ("nominations", "volunteers", "meetings", "ballot"):
            reply = await self.say(*olive, f"/export what:{what}", organiser=True)
            if reply.attachment is None:
                self.oracle.flag(now, f"/export what:{what} gave no file: {reply.text[:80]!r}")
            elif what == "nominations":
                self.oracle.check_export(reply.attachment.content.decode(), now)
        await self.say(*olive, "/reminders", organiser=True)
        if everything:
            chart = await self.say(*olive, "/progress chart:true", organiser=True)
            if chart.attachment is None:
                self.oracle.flag(now, "/progress chart:true gave no chart")
        people = self.crowd.people
        if people:
            step = max(1, len(people) // 8)
            for platform, user, _ in people[self._rotation % step :: step][:8]:
                await self.say(platform, user, "/mydata")
                await self.say(platform, user, "/reminders")
            self._rotation += 1

    async def _purged(self, now: datetime, everyone: bool) -> None:
        """Past the purge date, with a sweep run since: nothing personal is held."""
        people = (
            self.crowd.people
            if everyone
            else self.crowd.people[:: max(1, len(self.crowd.people) // 20)]
        )
        for platform, user, _ in people:
            reply = await self.say(platform, user, "/mydata")
            if not reply.text.startswith("I hold nothing about you"):
                self.oracle.flag(now, f"{platform}:{user} still held after the purge date")
        volunteers = await self.say(*ORGANISERS[0], "/export what:volunteers", organiser=True)
        if volunteers.attachment is not None and volunteers.attachment.content.count(b"\n") > 1:
            self.oracle.flag(now, "volunteers still exported after the purge date")

    async def _delivery_log(self, now: datetime) -> None:
        """No planned message lost: nothing stuck sending, failed or dropped."""
        assert self.bot is not None
        log_ = self.bot.services.store.deliveries
        for status in ("failed", "dropped"):
            rows = await log_.all(status)
            if rows:
                self.oracle.flag(now, f"{len(rows)} messages {status}: {rows[0].rule_id} …")
        stuck = [d for d in await log_.all("sending") if d.due_at < now - timedelta(hours=2)]
        if stuck:
            self.oracle.flag(now, f"{len(stuck)} messages left sending: {stuck[0].rule_id} …")


async def rehearse(settings: Settings, options: Options) -> Result:
    """Rehearse the campaign in `settings`' pack; plant a known bug if asked."""
    rehearsal = Rehearsal(settings, options)
    if options.plant is None:
        return await rehearsal.run()
    from bot.rehearse.planted import planted

    with planted(options.plant):
        return await rehearsal.run()
