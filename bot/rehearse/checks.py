"""The rehearsal's checks after each simulated hour: the views, against the oracle."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Protocol

from bot.app import import_branch_list
from bot.campaign.packfiles import parse_branch_csv
from bot.rehearse.crowd import Crowd
from bot.rehearse.oracle import Oracle
from bot.rehearse.process import Bot
from bot.rehearse.rules import PackBranch, PackRules
from bot.rehearse.stories import ORGANISERS, Action
from bot.runtime.clock import Clock
from bot.runtime.messages import Reply

# Who reads /progress and /branch every hour: anyone may, and it holds nothing about them
# (an organiser's reads would fill the audit log).
CHECKER = ("console", "rehearsal-checker")


class _Result(Protocol):
    threshold_reached_on: str | None
    counted_by_week: dict[str, int]


class Rehearsal(Protocol):
    """What the checks use of the rehearsal (`bot.rehearse.runner.Rehearsal`), which
    runs them: the checks are its methods, kept in their own file."""

    _purge_checked: bool
    _rotation: int

    @property
    def pack(self) -> PackRules: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def oracle(self) -> Oracle: ...

    @property
    def crowd(self) -> Crowd: ...

    @property
    def result(self) -> _Result: ...

    bot: Bot | None

    async def _start(self, name: str) -> Bot: ...

    async def say(
        self, platform: str, user: str, line: str, organiser: bool = False, channel: str = ""
    ) -> Reply: ...


async def check_hour(self: Rehearsal, hour: datetime, boundary: bool) -> None:
    """The checks after an hour (see bot.rehearse.runner for what is checked when)."""
    oracle, now = self.oracle, self.clock.now()
    olive = ORGANISERS[0]
    local = hour.astimezone(self.pack.zone)
    # The tally changes only with a report or as a day begins (a meeting is held).
    held_today = [
        c for c, b in oracle.branches.items() if local.hour == 0 and b.at_meeting == local.date()
    ]
    if oracle.changed or held_today or boundary or (local.hour == 12 and local.weekday() == 0):
        progress = await self.say(*CHECKER, "/progress")
        oracle.check_progress(progress.text, now)
    _, counted, _ = oracle.tally(now)
    if counted >= self.pack.threshold and self.result.threshold_reached_on is None:
        self.result.threshold_reached_on = now.date().isoformat()
    local = hour.astimezone(self.pack.zone)
    weekly = local.hour == 12 and local.weekday() == 0
    if weekly:
        self.result.counted_by_week[local.date().isoformat()] = counted
    if boundary:
        branches = list(oracle.branches)  # those of the pack, and any a new list added
    else:
        branches = sorted(oracle.changed)
        branches += held_today  # meetings on this day are held now: they may count
    for code in branches:
        reply = await self.say(*CHECKER, f"/branch branch:{code}")
        oracle.check_branch(code, reply.text, now)
    oracle.changed.clear()
    if weekly or boundary:
        await views(self, now, everything=boundary)
    elif local.hour == 0 and local.weekday() == 3:
        reply = await self.say(*olive, "/export what:nominations", organiser=True)
        if reply.attachment is not None:
            oracle.check_export(reply.attachment.content.decode(), now)
    daily = local.hour == 0
    if oracle.purge_due(now) and not self._purge_checked:
        await purged(self, now, everyone=True)
        self._purge_checked = True
    elif oracle.purge_due(now) and daily:
        await purged(self, now, everyone=False)
    if daily or hour + timedelta(hours=1) == self.pack.purge_after:
        await delivery_log(self, now)


async def views(self: Rehearsal, now: datetime, everything: bool) -> None:
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
        for platform, user, _ in people[self._rotation % step :: step][:4]:
            await self.say(platform, user, "/mydata")
            await self.say(platform, user, "/reminders")
        self._rotation += 1


async def purged(self: Rehearsal, now: datetime, everyone: bool) -> None:
    """Past the purge date, with a sweep run since: nothing personal is held."""
    day = now.toordinal()
    # Everyone once, then five a day (different ones each day).
    people = self.crowd.people if everyone else self.crowd.people[day % 97 :: 97][:5]
    for platform, user, _ in people:
        reply = await self.say(platform, user, "/mydata")
        if not reply.text.startswith("I hold nothing about you"):
            self.oracle.flag(now, f"{platform}:{user} still held after the purge date")
    volunteers = await self.say(*ORGANISERS[0], "/export what:volunteers", organiser=True)
    if volunteers.attachment is not None and volunteers.attachment.content.count(b"\n") > 1:
        self.oracle.flag(now, "volunteers still exported after the purge date")


async def delivery_log(self: Rehearsal, now: datetime) -> None:
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


def _figures(text: str) -> list[str]:
    """The figures /progress gives: counted, verified, reported, waiting, the rivals."""
    return re.findall(r"\d+", "\n".join(line for line in text.splitlines() if "day" not in line))


async def replace_branches(self: Rehearsal, action: Action) -> None:
    """An organiser replaces the branch list, as with `mobilise import-branches FILE
    --replace`, and the bot restarts on it. Every nomination keeps counting: /progress is
    the same before and after (and right by the rules), each retired branch is still found,
    shown as retired, and counts as the rules say; each new branch is found."""
    oracle, now = self.oracle, action.at
    listed: list[PackBranch] = action.data["branches"]  # type: ignore[assignment]
    before = await self.say(*CHECKER, "/progress")
    oracle.check_progress(before.text, now)
    lines = ["code,name,group,region"]
    lines += [f"{b.code},{b.name},{b.group},{b.region}" for b in listed]
    branches, problems = parse_branch_csv("\n".join(lines) + "\n")  # as import-branches reads
    assert self.bot is not None
    done = await import_branch_list(self.bot.services, branches, replace=True)
    retired = {b.code for b in self.pack.branches} - {b.code for b in listed}
    if problems or done[2] != len(retired):
        oracle.flag(now, f"import-branches --replace: {done} ({len(problems)} rows rejected)")
    oracle.replaced(listed, retired)
    await self.bot.stop()  # the bot restarts on the new list
    self.bot = await self._start(f"bot-{now:%m%d%H}-branches")
    after = await self.say(*CHECKER, "/progress")
    oracle.check_progress(after.text, now)
    if _figures(after.text) != _figures(before.text):
        oracle.flag(
            now,
            f"the branch list replaced, /progress changed: {before.text[:160]!r} became "
            f"{after.text[:160]!r}",
        )
    for code in sorted(retired):
        reply = await self.say(*CHECKER, f"/branch branch:{code}")
        oracle.check_branch(code, reply.text, now)
        if "retired" not in reply.text.lower():
            oracle.flag(now, f"/branch {code} does not say it is retired: {reply.text[:100]!r}")
    for branch in listed:
        if branch.code in oracle.added:
            reply = await self.say(*CHECKER, f"/branch branch:{branch.code}")
            if not reply.text.startswith(branch.name):
                oracle.flag(now, f"/branch {branch.code}, new on the list: {reply.text[:100]!r}")
    export = await self.say(*ORGANISERS[0], "/export what:nominations", organiser=True)
    if export.attachment is not None:
        oracle.check_export(export.attachment.content.decode(), now)
