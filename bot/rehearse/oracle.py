"""The oracle: what the bot should say, worked out from the pack's rules and its own
record of what each supporter and organiser did, never by calling the code it checks.

It is told every command the crowd ran and the bot's reply (and believes a report only
when the reply confirms it), every message a platform received, and the bot's views;
each disagreement is a violation, with the simulated moment and what differed.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.rehearse.platforms import Sent
from bot.rehearse.rules import PackRules

NOMINATED = "nominated"


@dataclass
class BranchModel:
    meeting: date | None = None
    notice: date | None = None
    outcome: str | None = None
    at_meeting: date | None = None
    form_sent: datetime | None = None
    official: str | None = None
    verified: bool = False


@dataclass
class PersonModel:
    platform: str
    id: str
    branch: str | None = None
    volunteer: bool = False
    opted_out: bool = False
    snoozed_until: datetime | None = None
    erased: bool = False
    voted: bool = False


# The reasons a nomination does not count, in the oracle's words; each matches the
# bot's wording by a few words.
REASON_WORDS = {
    "no meeting date": "meeting date not reported",
    "after the close": "after the close",
    "before the opening": "before nominations opened",
    "not held yet": "not held yet",
    "no notice date": "notice date not reported",
    "short notice": "' notice",
    "no form": "form not sent",
    "form late": "form sent after",
}
FINAL = frozenset({"after the close", "before the opening", "short notice", "form late"})


def bot_reasons(text: str) -> set[str]:
    """The oracle's names for the reasons in a line of the bot's."""
    return {mine for mine, words in REASON_WORDS.items() if words in text}


@dataclass
class Oracle:
    pack: PackRules
    branches: dict[str, BranchModel] = field(default_factory=dict)
    people: dict[tuple[str, str], PersonModel] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    seen_keys: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)  # branches changed since last looked at
    names: dict[str, str] = field(default_factory=dict)  # branch name -> code

    def __post_init__(self) -> None:
        self.names = {b.name: b.code for b in self.pack.branches}
        for branch in self.pack.branches:
            self.branches[branch.code] = BranchModel()

    def flag(self, now: datetime, what: str) -> None:
        if len(self.violations) < 500:
            self.violations.append(f"{now.astimezone(self.pack.zone):%Y-%m-%d %H:%M}: {what}")

    def person(self, platform: str, user_id: str) -> PersonModel:
        key = (platform, user_id)
        if key not in self.people:
            self.people[key] = PersonModel(platform, user_id)
        return self.people[key]

    # --- the rules -------------------------------------------------------------------

    def today(self, now: datetime) -> date:
        return now.astimezone(self.pack.zone).date()

    def reasons(self, code: str, now: datetime) -> set[str]:
        """Why the branch's nomination does not count at `now` (empty: it does)."""
        b = self.branches[code]
        pack = self.pack
        found: set[str] = set()
        meeting = b.at_meeting or b.meeting
        if meeting is None:
            found.add("no meeting date")
        elif meeting > pack.close.astimezone(pack.zone).date():
            found.add("after the close")
        elif meeting < pack.open.astimezone(pack.zone).date():
            found.add("before the opening")
        elif meeting > self.today(now):
            found.add("not held yet")
        if meeting is not None:
            if b.meeting != meeting or b.notice is None:
                found.add("no notice date")
            elif (meeting - b.notice).days < pack.notice_days:
                found.add("short notice")
        if b.form_sent is None or not b.official:
            found.add("no form")
        elif b.form_sent > pack.close:
            found.add("form late")
        return found

    def counts(self, code: str, now: datetime) -> bool:
        return self.branches[code].outcome == NOMINATED and not self.reasons(code, now)

    def tally(self, now: datetime) -> tuple[int, int, int]:
        """Reported, counted, and counted and verified."""
        ours = [c for c, b in self.branches.items() if b.outcome == NOMINATED]
        counted = [c for c in ours if not self.reasons(c, now)]
        verified = sum(1 for c in counted if self.branches[c].verified)
        return len(ours), len(counted), verified

    def verdict(self, code: str, now: datetime) -> str | None:
        if self.branches[code].outcome != NOMINATED:
            return None
        reasons = self.reasons(code, now)
        if not reasons:
            return "Yes"
        return "No" if reasons & FINAL else "Not yet"

    # --- what the crowd did ------------------------------------------------------------

    def signed_up(self, who: PersonModel, reply: str) -> None:
        found = re.search(r"signed up for (.+?)(?: \(moved from .*?\))?\. ", reply)
        if "You're signed up for" in reply and found and found.group(1) in self.names:
            if not who.volunteer:  # a new sign-up starts with reminders on
                who.opted_out, who.snoozed_until = False, None
            who.branch = self.names[found.group(1)]
            who.volunteer = True
            who.erased = False

    def meeting(self, code: str, on: date, notice: date | None) -> None:
        b = self.branches[code]
        b.meeting, b.notice = on, notice
        self.changed.add(code)

    def nominated(self, code: str, outcome: str, on: date | None) -> None:
        b = self.branches[code]
        if b.outcome != outcome:
            b.verified = False
        b.outcome = outcome
        b.at_meeting = on or b.at_meeting
        self.changed.add(code)

    def form(self, code: str, official: str, sent: datetime) -> None:
        b = self.branches[code]
        b.form_sent, b.official = sent, official
        self.changed.add(code)

    def verify(self, code: str) -> None:
        self.branches[code].verified = True
        self.changed.add(code)

    # --- the bot's views ---------------------------------------------------------------

    def check_progress(self, text: str, now: datetime) -> None:
        _, counted, verified = self.tally(now)
        found = re.search(r": (\d+) (?:of the \d+ branches needed|branches count)", text)
        shown = re.search(r"\((\d+) verified\)", text)
        if not found or not shown:
            self.flag(now, f"/progress does not give the tally: {text[:120]!r}")
            return
        if (int(found.group(1)), int(shown.group(1))) != (counted, verified):
            self.flag(
                now,
                f"/progress says {found.group(1)} counted ({shown.group(1)} verified); "
                f"by the rules {counted} ({verified} verified)",
            )
        if now >= self.pack.close and "more to go" in text:
            self.flag(now, "/progress still counts down to the threshold after the close")

    def check_branch(self, code: str, text: str, now: datetime) -> None:
        expected = self.verdict(code, now)
        found = re.search(r"Will it count\? (Yes|Not yet|No)", text)
        said = found.group(1) if found else None
        if said != expected:
            self.flag(now, f"/branch {code} says {said!r}; by the rules {expected!r}")
        elif said in ("No", "Not yet"):
            line = next(x for x in text.splitlines() if x.startswith("Will it count?"))
            mine = self.reasons(code, now)
            shown = bot_reasons(line)
            wanted = mine & FINAL if said == "No" else mine
            if shown != wanted:
                self.flag(
                    now, f"/branch {code} gives {sorted(shown)}; by the rules {sorted(wanted)}"
                )
        if now >= self.pack.close and ("call a general meeting" in text or "/meeting" in text):
            self.flag(now, f"/branch {code} gives meeting advice after the close")

    def check_export(self, text: str, now: datetime) -> None:
        seen: set[str] = set()
        for row in csv.DictReader(io.StringIO(text)):
            code = row["branch_code"]
            seen.add(code)
            b = self.branches.get(code)
            if b is None or row["outcome"] != (b.outcome or ""):
                self.flag(
                    now, f"export: {code} outcome {row['outcome']!r}, recorded {b and b.outcome!r}"
                )
                continue
            if b.outcome != NOMINATED:
                continue
            mine = self.reasons(code, now)
            if row["counts"] != ("no" if mine else "yes") or bot_reasons(row["reasons"]) != mine:
                self.flag(
                    now,
                    f"export: {code} counts={row['counts']} ({row['reasons']}); "
                    f"by the rules {'no' if mine else 'yes'} ({', '.join(sorted(mine))})",
                )
        reported = {c for c, b in self.branches.items() if b.outcome}
        if seen != reported:
            self.flag(now, f"export lists {len(seen)} nominations, {len(reported)} reported")

    # --- messages ----------------------------------------------------------------------

    def daytime(self, at: datetime) -> bool:
        local = at.astimezone(self.pack.zone).time()
        return self.pack.quiet_start <= local <= self.pack.quiet_end

    def check_message(self, sent: Sent) -> None:
        now = sent.at
        pack = self.pack
        if sent.key in self.seen_keys:
            self.flag(now, f"message {sent.rule} to {sent.target.id} sent twice")
        self.seen_keys.add(sent.key)
        if not self.daytime(now):
            self.flag(now, f"message {sent.rule} to {sent.target.id} sent at night")
        rule = pack.rules.get(sent.rule)
        if rule is None:
            self.flag(now, f"a message from no rule of the pack: {sent.text[:60]!r}")
            return
        if rule.at is not None and not rule.at <= now:
            self.flag(now, f"{rule.id} sent before its time")
        if rule.audience != "volunteer":
            return
        who = self.people.get((sent.target.platform, sent.target.id))
        if who is None or not who.volunteer or who.erased:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, who is not a volunteer")
            return
        if who.opted_out:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, who opted out")
        if who.snoozed_until and now < who.snoozed_until:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, who snoozed")
        if rule.phase == "ballot":
            if who.voted:
                self.flag(now, f"{rule.id} sent to {sent.target.id}, who has voted")
            return
        if now >= pack.close:
            self.flag(now, f"meeting reminder {rule.id} after nominations closed")
        branch = self.branches.get(who.branch or "")
        if branch is not None and branch.outcome is not None:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, whose branch is done")
        elif branch is not None and rule.needs == "no-meeting" and branch.meeting:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, whose branch has a meeting")
        elif branch is not None and rule.needs == "meeting-called" and not branch.meeting:
            self.flag(now, f"{rule.id} sent to {sent.target.id}, whose branch has no meeting")

    def check_broadcasts(
        self, log: list[Sent], channels: int, start: datetime, end: datetime
    ) -> None:
        """Each one-off broadcast due in the rehearsal went to each channel exactly once."""
        for rule in self.pack.rules.values():
            if rule.audience != "channel" or rule.at is None or not start <= rule.at < end:
                continue
            got = sum(1 for s in log if s.rule == rule.id)
            if got != channels:
                self.flag(end, f"broadcast {rule.id} reached {got} of {channels} channels")

    def advice(self, asked: str, reply: str, now: datetime) -> None:
        """Advice fits the phase: no meeting advice after the close, no reminders promised
        once the ballot is over."""
        phase = self.pack.phase(now)
        if asked == "help" and phase in ("between", "ballot", "after") and "meeting" in reply:
            self.flag(now, f"meeting advice after the close: {reply[:80]!r}")
        if asked == "volunteer" and phase == "after" and "I'll remind" in reply:
            self.flag(now, "a sign-up after the ballot is promised reminders")
        if asked == "volunteer" and phase in ("between", "ballot") and "meeting" in reply:
            self.flag(now, "a sign-up after the close is promised meeting reminders")

    def purge_due(self, now: datetime) -> bool:
        return now >= self.pack.purge_after

    @staticmethod
    def quiet(value: str) -> time:
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
