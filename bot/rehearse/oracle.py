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
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from bot.campaign.domain import Reason
from bot.rehearse.expected import BranchModel, Expected, ExpectedMessages, PersonModel
from bot.rehearse.platforms import Sent
from bot.rehearse.rules import PackBranch, PackRules

NOMINATED = "nominated"


# The reasons no later report can change: the verdict is No, not Not yet.
FINAL = frozenset(
    {
        Reason.MEETING_AFTER_CLOSE,
        Reason.MEETING_BEFORE_OPEN,
        Reason.SHORT_NOTICE,
        Reason.FORM_LATE,
    }
)


@dataclass
class Oracle(ExpectedMessages):
    pack: PackRules
    branches: dict[str, BranchModel] = field(default_factory=dict)
    people: dict[tuple[str, str], PersonModel] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)
    seen_keys: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)  # branches changed since last looked at
    names: dict[str, str] = field(default_factory=dict)  # branch name -> code
    per_day: Counter[tuple[str, str, date]] = field(default_factory=Counter)
    rule_days: set[tuple[str, str, str, date]] = field(default_factory=set)
    expected: list[Expected] = field(default_factory=list)  # not yet settled
    expected_until: datetime | None = None  # expectations worked out up to here
    _cadences: dict[tuple[str, date], list[datetime]] = field(default_factory=dict)
    joined: list[PersonModel] = field(default_factory=list)  # in the order they signed up
    retired: set[str] = field(default_factory=set)  # off the branch list since it was replaced
    added: set[str] = field(default_factory=set)  # on the replacing list, not the pack's
    _settled: int = 0  # the log before this is of days already settled
    # Wording experiments: (rule, platform, user) -> the wording they were sent.
    wordings: dict[tuple[str, str, str], str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.names = {b.name: b.code for b in self.pack.branches}
        for branch in self.pack.branches:
            self.branches[branch.code] = BranchModel()

    def person(self, platform: str, user_id: str) -> PersonModel:
        key = (platform, user_id)
        if key not in self.people:
            self.people[key] = PersonModel(platform, user_id)
        return self.people[key]

    # --- the rules -------------------------------------------------------------------

    def reasons(self, code: str, now: datetime) -> set[str]:
        """Why the branch's nomination does not count at `now` (empty: it does)."""
        b = self.branches[code]
        pack = self.pack
        found: set[str] = set()
        meeting = b.at_meeting or b.meeting
        if meeting is None:
            found.add(Reason.NO_MEETING_DATE)
        else:
            if meeting > pack.close.astimezone(pack.zone).date():
                found.add(Reason.MEETING_AFTER_CLOSE)
            elif meeting < pack.open.astimezone(pack.zone).date():
                found.add(Reason.MEETING_BEFORE_OPEN)
            if meeting > self.today(now):
                found.add(Reason.MEETING_TO_COME)
            if b.meeting != meeting or b.notice is None:
                found.add(Reason.NO_NOTICE_DATE)
            elif (meeting - b.notice).days < pack.notice_days:
                found.add(Reason.SHORT_NOTICE)
        if b.form_sent is None or not b.official:
            found.add(Reason.NO_FORM)
        elif b.form_sent > pack.close:
            found.add(Reason.FORM_LATE)
        elif meeting is not None and self.today(b.form_sent) < meeting:
            found.add(Reason.FORM_BEFORE_MEETING)
        return found

    def pending(self, code: str, now: datetime) -> date | None:
        """The meeting's day, if the branch's result is for a meeting still to come."""
        b = self.branches[code]
        meeting = b.at_meeting or b.meeting
        if b.outcome is None or meeting is None or meeting <= self.today(now):
            return None
        return meeting

    def bot_reasons(self, text: str) -> set[str]:
        """The reasons named in a line of the bot's, by the pack's wording of each."""
        return {code for code, words in self.pack.reasons.items() if words.search(text)}

    def counts(self, code: str, now: datetime) -> bool:
        return self.branches[code].outcome == NOMINATED and not self.reasons(code, now)

    def tally(self, now: datetime) -> tuple[int, int, int]:
        """Reported (leaving out results for meetings to come), counted, and counted and
        verified."""
        ours = [c for c, b in self.branches.items() if b.outcome == NOMINATED]
        counted = [c for c in ours if not self.reasons(c, now)]
        verified = sum(1 for c in counted if self.branches[c].verified)
        reported = [c for c in ours if self.pending(c, now) is None]
        return len(reported), len(counted), verified

    def verdict(self, code: str, now: datetime) -> str | None:
        if self.branches[code].outcome != NOMINATED:
            return None
        reasons = self.reasons(code, now)
        if not reasons:
            return "Yes"
        return "No" if reasons & FINAL else "Not yet"

    # --- what the crowd did ------------------------------------------------------------

    def signed_up(self, who: PersonModel, reply: str, now: datetime) -> None:
        found = re.search(r"signed up for (.+?)(?: \(moved from .*?\))?\. ", reply)
        if "You're signed up for" in reply and found and found.group(1) in self.names:
            if not who.volunteer:  # a new sign-up starts with reminders on
                who.opted_out, who.snoozed_until = False, None
                who.signed_up_at = now
                self.joined.append(who)
            who.branch = self.names[found.group(1)]
            who.volunteer = True
            who.erased = False

    def check_sign_up(self, reply: str, now: datetime) -> None:
        """A sign-up for a branch retired from the list is refused."""
        found = re.search(r"signed up for (.+?)(?: \(moved from .*?\))?\. ", reply)
        code = self.names.get(found.group(1), "") if found else ""
        if code in self.retired and "You're signed up for" in reply:
            self.flag(now, f"a sign-up for {code}, retired from the branch list, accepted")

    def replaced(self, listed: list[PackBranch], retired: set[str]) -> None:
        """The branch list replaced: the branches not on it are retired, and keep their
        records and nominations; new ones are added."""
        for branch in listed:
            if branch.code not in self.branches:
                self.branches[branch.code] = BranchModel()
                self.added.add(branch.code)
            self.names[branch.name] = branch.code
        self.retired |= retired
        self.changed |= retired

    def meeting(self, code: str, on: date, notice: date | None, at: time | None = None) -> None:
        b = self.branches[code]
        if notice is None and b.meeting == on:
            notice = b.notice  # a new time or place that day: the notice given stands
        # Its start: the one given, else the one given before, else the pack's.
        b.starts = at or b.starts or self.pack.meeting_start
        b.meeting, b.notice = on, notice
        self.changed.add(code)

    def nominated(self, code: str, outcome: str, on: date | None) -> None:
        b = self.branches[code]
        if b.outcome != outcome:  # a different result starts afresh: checks and form
            b.verified, b.form_sent, b.official = False, None, None
        b.outcome = outcome
        b.at_meeting = on or b.at_meeting
        self.changed.add(code)

    def check_result(self, code: str, reply: str, now: datetime) -> None:
        """A result for a meeting still to come is held, and the reply says so; one for a
        meeting held is reported at once."""
        meeting = self.pending(code, now)
        held = "I'll count this once the meeting" in reply or "held as pending" in reply
        if meeting is not None and not held:
            self.flag(now, f"/nominate {code} for a meeting still to come is not held: {reply!r}")
        elif meeting is None and held:
            self.flag(now, f"/nominate {code} is held, but its meeting has happened")

    def check_verify(self, code: str, reply: str, now: datetime) -> bool:
        """Whether /verify verified; a result for a meeting still to come must be refused."""
        done = reply.startswith("Verified")
        if done and self.pending(code, now) is not None:
            self.flag(now, f"/verify {code} verified a result for a meeting still to come")
        return done

    def check_form(self, code: str, sent: datetime, now: datetime) -> None:
        """An accepted form is dated on or after its meeting."""
        b = self.branches[code]
        meeting = b.at_meeting or b.meeting
        if meeting is not None and self.today(sent) < meeting:
            self.flag(
                now, f"/formsent {code} dated {self.today(sent)}, before its meeting, accepted"
            )

    def form(self, code: str, official: str, sent: datetime) -> None:
        b = self.branches[code]
        b.form_sent, b.official = sent, official
        self.changed.add(code)

    def verify(self, code: str) -> None:
        self.branches[code].verified = True
        self.changed.add(code)

    # --- the bot's views ---------------------------------------------------------------

    def check_progress(self, text: str, now: datetime) -> None:
        reported, counted, verified = self.tally(now)
        found = re.search(r": (\d+) (?:of the (\d+) branches needed|branches count)", text)
        shown = re.search(r"\((\d+) verified\)", text)
        if not found or not shown:
            self.flag(now, f"/progress does not give the tally: {text[:120]!r}")
            return
        stated = re.search(r"(?:of the (\d+) branches needed|towards the (\d+) needed)", text)
        need = (stated.group(1) or stated.group(2)) if stated else None
        if need is None or int(need) != self.pack.threshold:
            self.flag(
                now, f"/progress gives the threshold as {need}; the pack says {self.pack.threshold}"
            )
        waiting = re.search(r"Reported but not counted yet: (\d+) branch", text)
        if (int(waiting.group(1)) if waiting else 0) != reported - counted:
            self.flag(
                now,
                f"/progress has {waiting.group(1) if waiting else 0} reported and not counted; "
                f"by the rules {reported - counted}",
            )
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
            shown = self.bot_reasons(line)
            wanted = mine & FINAL if said == "No" else mine
            if shown != wanted:
                self.flag(
                    now,
                    f"/branch {code} gives {sorted(shown)}; by the rules "
                    f"{sorted(str(r) for r in wanted)}",
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
            if row.get("retired", "no") != ("yes" if code in self.retired else "no"):
                self.flag(now, f"export: {code} retired={row.get('retired')!r}")
            if b.outcome != NOMINATED:
                continue
            mine = self.reasons(code, now)
            codes = set(row["reason_codes"].split())
            if row["counts"] != ("no" if mine else "yes") or codes != mine:
                self.flag(
                    now,
                    f"export: {code} counts={row['counts']} ({row['reasons']}); "
                    f"by the rules {'no' if mine else 'yes'} ({', '.join(sorted(mine))})",
                )
        reported = {c for c, b in self.branches.items() if b.outcome}
        if seen != reported:
            self.flag(now, f"export lists {len(seen)} nominations, {len(reported)} reported")

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
