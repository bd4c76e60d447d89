"""Play a whole campaign hour by hour on a simulated clock, and check it as it goes.

The clock steps through every hour of the window. At an hour where anything can happen
the bot's own reminder sweep runs (its `Deliverer`, sending on the stand-in platforms),
the oracle checks each message that went out, the crowd's commands for the hour run
through the dispatcher as chat users' do, and the views are checked. An hour where
nothing can happen is stepped over, without a sweep: that keeps 300 supporters to
seconds, not minutes, per campaign, and loses nothing, because

- the bot's own plan is asked at each midnight, and again after any hour in which the
  crowd did something that can bring a reminder due (signing up, a meeting, a result,
  opting in or out, snoozing), which hours have a message due: those hours are swept,
  at night too (so a message planned for the night is sent, and caught, at night);
- in the day, at least every five hours (inside the bot's six-hour catch-up window);
- the hour after any such activity is swept (a welcome is due at once), and so are each
  phase boundary (the purge date among them), the hour before the purge date, and every
  hour with a fault;
- each midnight (a meeting's day has come: a nomination may start to count), Mondays at
  noon and every hour with crowd activity are checked, with or without a sweep.

What is checked when:
- the branch list replaced mid-campaign (as an organiser does, with `import-branches
  --replace`, the bot then restarting on it): /progress the same before and after, and
  right by the rules; /branch for each retired branch (shown as retired, and whether it
  counts, as before) and each new one; sign-ups and meetings for retired branches refused;
  the export marks the retired branches;
- every message sent: night, doubled, opted out, snoozed, erased, not a volunteer,
  branch done, wrong branch state, meeting reminders after the close, votes reminders
  after voting; every reply to the crowd (no errors; advice and sign-up promises fit
  the phase);
- the tally in /progress against the oracle's, at every hour with a report, at the
  midnight a meeting's day comes (the only other time it can change), at boundaries and
  weekly; /branch ("Will it count?" and why) for each branch that changed, and for
  branches whose meeting day has come;
- the nominations export row by row twice a week (Mondays and Thursdays);
- Mondays at noon and each phase boundary: /pipeline, every export, /reminders, and
  /mydata and /reminders of a rotating eighth of the supporters; at boundaries also
  /branch for every branch, /pipeline for every region and group, and the chart. The digest,
  with its chart, is drawn by the sweep every day it is due;
- once the purge date has passed: /mydata of every supporter after the first sweep,
  then of a sample daily, and the volunteers export;
- daily and before the purge: nothing in the delivery log failed, dropped or stuck
  sending; at the end: each one-off broadcast reached each channel exactly once. (A
  message of a wording experiment: the wording the hash gives, never to the holdout.)
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import logging
import random
import time as clock_time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from bot.app import campaign_dir
from bot.campaign.domain import User
from bot.campaign.loading import load_campaign
from bot.rehearse.checks import check_hour, replace_branches
from bot.rehearse.crowd import CHANNELS, Crowd
from bot.rehearse.experiments import Responses, parse_effect, report
from bot.rehearse.oracle import Oracle
from bot.rehearse.platforms import Killed, Platform, Sent
from bot.rehearse.process import Bot, ErrorLog, Faults
from bot.rehearse.rules import read_pack
from bot.rehearse.stories import ORGANISERS, Action
from bot.runtime.clock import Clock
from bot.runtime.messages import Channel, Reply
from bot.runtime.settings import Settings

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
    effects: tuple[str, ...] = ()  # wordings the crowd responds to more: "RULE:VARIANT=+0.1"


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
    experiments: list[dict[str, object]] = field(default_factory=list)  # as `experiments`


class Rehearsal:
    def __init__(self, settings: Settings, options: Options):
        self.options = options
        zone = settings.zone
        self.pack = read_pack(campaign_dir(settings), zone)
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
        effects = [parse_effect(e, pack) for e in options.effects]  # ValueError if bad
        self.responses = Responses(pack, effects, options.seed, self.crowd)
        self.queue = list(self.crowd.actions)  # sorted, so a heap: responses join it
        self.log: list[Sent] = []
        self.platforms = {
            p: Platform(p, self.clock.now, self.log) for p in ("console", "slack", "discord")
        }
        self.result = Result(
            options.supporters, options.seed, self.start.isoformat(), self.end.isoformat()
        )
        faults = Faults(random.Random(options.seed * 7919), self.start, self.end)
        self.faults = faults if options.faults else None
        self.bot: Bot | None = None
        self._checked = 0
        self._purge_checked = False
        self._rotation = 0
        self._grid: set[datetime] = set()  # the hour of (or after) each one-off pack moment
        for rule in pack.rules.values():
            if rule.at is not None:
                at = rule.at.astimezone(pack.zone)
                top = at.replace(minute=0, second=0, microsecond=0)
                self._grid.add(top if at == top else top + timedelta(hours=1))
        self._last_sweep = self.start

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
        if action.kind == "branches":
            await replace_branches(self, action)
            return
        who = oracle.person(action.platform, action.user)
        if who.erased and action.kind != "volunteer":
            return
        reply = await self.say(
            action.platform, action.user, action.line, action.organiser, action.channel
        )
        text, ok = reply.text, not reply.is_error
        kind, code, data = action.kind, action.branch, action.data
        if kind == "volunteer":
            oracle.check_sign_up(text, now)
            oracle.signed_up(who, text, now)
            oracle.advice("volunteer", text, now)
        elif kind in ("help", "ask"):
            oracle.advice(kind, text, now)
        elif kind == "progress":
            oracle.check_progress(text, now)
        elif not ok:
            return
        elif kind == "meeting" and text.startswith("Thanks! Recorded"):
            if code in oracle.retired:
                oracle.flag(now, f"/meeting for {code}, retired from the branch list, recorded")
            oracle.meeting(code, data["date"], data["notice"], data.get("at"))  # type: ignore[arg-type]
        elif kind == "nominate" and text.startswith("Thanks! Recorded"):
            oracle.nominated(code, str(data["outcome"]), data["date"])  # type: ignore[arg-type]
            oracle.check_result(code, text, now)
        elif kind == "formsent" and text.startswith("Thanks! Recorded"):
            on = data.get("date")
            sent = now
            if isinstance(on, date) and on < oracle.today(now):
                sent = datetime.combine(on, time.min, tzinfo=self.pack.zone)
            oracle.check_form(code, sent, now)
            oracle.form(code, str(data["official"]), sent)
        elif kind == "verify" and oracle.check_verify(code, text, now):
            oracle.verify(code)
        elif kind == "optout" and who.volunteer:
            who.opted_out = True
        elif kind == "optin" and who.volunteer:
            who.opted_out = False
        elif kind == "snooze" and who.volunteer:
            who.snoozed_until = now + timedelta(days=2)
        elif kind == "forgetme":
            who.erased, who.volunteer, who.voted = True, False, False
        elif kind == "voted" and who.volunteer:  # from anyone else, nothing is kept
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
        queue = self.queue
        boundaries = sorted(b for b in self.pack.boundaries() if self.start < b <= self.end)
        n = 1
        acted = False
        # Experiments are read in the last hour, or before the purge empties the log:
        report_at: datetime | None = min(self.end, self.pack.purge_after) - timedelta(hours=1)
        while hour < self.end:
            self.clock.set(hour)
            if report_at is not None and hour >= report_at:
                store, report_at = self.bot.services.store, None
                self.result.experiments = await report(store, self.campaign, hour)
            boundary = bool(boundaries) and hour >= boundaries[0]
            while boundaries and hour >= boundaries[0]:
                boundaries.pop(0)
            acting = bool(queue) and queue[0].at < hour + timedelta(hours=1)
            self.result.hours += 1
            if hour.astimezone(self.pack.zone).hour == 0:
                self.oracle.settle(self.log, hour)  # the day before: all it called for went
            check = acting or boundary or self._checked_hour(hour)
            sweep = acted or boundary or self._swept_hour(hour)
            if not (check or sweep):
                hour += timedelta(hours=1)
                continue
            if sweep:
                self._last_sweep = hour
                self.result.swept_hours += 1
                await self._sweep(hour)
                self.oracle.expect(hour)
            if self.faults is not None and hour in self.faults.restarts:
                await self.bot.stop()
                n += 1
                self.bot = await self._start(f"bot-{n}")
                self.faults.done["restarts"] += 1
            acted = False
            replan = False
            while queue and queue[0].at < hour + timedelta(hours=1):
                pending = heapq.heappop(queue)
                await self.act(pending)
                replan = replan or pending.kind in PLANNED
            if replan:
                acted = True  # a welcome may be due at once: sweep the next hour
            self.clock.set(hour + timedelta(minutes=59))
            await check_hour(self, hour, boundary)
            hour += timedelta(hours=1)
        self.clock.set(self.end)
        self.oracle.settle(self.log, self.end)
        self.oracle.check_broadcasts(self.log, len(CHANNELS), self.start, self.end)

    def _swept_hour(self, hour: datetime) -> bool:
        """Whether the bot sweeps at `hour`: on a fixed grid, every hour while the pack lets
        personal messages go, and the hour of (or after) each moment a pack rule names;
        never at hours the bot's own planner chooses."""
        faults = self.faults
        if hour in self._grid or hour + timedelta(hours=1) == self.pack.purge_after:
            return True
        local = hour.astimezone(self.pack.zone)
        if self.pack.quiet_start.hour <= local.hour <= self.pack.quiet_end.hour:
            return True
        return faults is not None and (hour in faults.kills or hour in faults.restarts)

    def _checked_hour(self, hour: datetime) -> bool:
        """Midnight (a meeting's day has come) and Mondays at noon are checked."""
        local = hour.astimezone(self.pack.zone)
        return local.hour == 0 or (local.hour == 12 and local.weekday() == 0)

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
            who = self.oracle.people.get((sent.target.platform, sent.target.id))
            response = self.responses.respond(sent, who.branch if who else None)
            if response is not None:
                heapq.heappush(self.queue, response)
        self._checked = len(self.log)


async def rehearse(settings: Settings, options: Options) -> Result:
    """Rehearse the campaign in `settings`' pack; plant a known bug if asked."""
    rehearsal = Rehearsal(settings, options)
    if options.plant is None:
        return await rehearsal.run()
    from bot.rehearse.planted import planted

    with planted(options.plant):
        return await rehearsal.run()
