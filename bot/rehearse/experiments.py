"""Wording experiments in a rehearsal: an effect planted in the crowd (`rehearse --effect
RULE:VARIANT=+0.10`), and the experiments' report as `mobilise experiments --json` gives
it, read from the rehearsal's store before the purge date empties the delivery log.

With an effect planted, each supporter sent that wording of that rule (the first time)
takes the rule's next step soon after with the effect's probability: says they voted,
or calls their branch's meeting (if nobody in the crowd's plan calls it: a second call
would move the meeting). The draw comes from a random stream of its own for each
person and rule, so each seed's campaign is otherwise unchanged, and is made whether or
not they would have taken the step anyway: the outcome rate rises by the effect times
the share who would not have (for a rare step, by about the effect).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from bot.campaign.pack import Campaign
from bot.rehearse.crowd import Crowd
from bot.rehearse.platforms import Sent
from bot.rehearse.rules import PackRules
from bot.rehearse.stories import Action, iso
from bot.store import Store
from bot.views.experiments import experiments_report, report_json

EFFECT = re.compile(
    r"^(?P<rule>[a-z0-9][a-z0-9-]*):(?P<variant>[a-z0-9][a-z0-9-]*)=(?P<lift>[+]?[0-9.]+)$"
)


@dataclass(frozen=True)
class Effect:
    rule: str
    variant: str
    lift: float


def parse_effect(text: str, pack: PackRules) -> Effect:
    """`RULE:VARIANT=+0.10`, checked against the pack: else ValueError saying why."""
    found = EFFECT.match(text.strip())
    if not found:
        raise ValueError(f"{text!r}: give the effect as RULE:VARIANT=+0.10")
    rule = pack.rules.get(found["rule"])
    if rule is None or not rule.variants:
        with_variants = ", ".join(r.id for r in pack.rules.values() if r.variants) or "none"
        raise ValueError(
            f"{text!r}: the pack has no rule {found['rule']!r} with variants "
            f"(rules with variants: {with_variants})"
        )
    if found["variant"] not in rule.variants:
        raise ValueError(
            f"{text!r}: {rule.id} has no variant {found['variant']!r} "
            f"(it has {', '.join(rule.variants)})"
        )
    if rule.phase == "nominations" and rule.needs != "no-meeting":
        raise ValueError(f"{text!r}: the crowd responds only to vote and call-a-meeting rules")
    try:
        lift = float(found["lift"])
    except ValueError:
        raise ValueError(f"{text!r}: {found['lift']!r} is not a number") from None
    if not 0 < lift <= 1:
        raise ValueError(f"{text!r}: the effect is a share from 0 to 1, like +0.10")
    return Effect(rule.id, found["variant"], lift)


class Responses:
    """The crowd's response to the planted wordings."""

    def __init__(self, pack: PackRules, effects: list[Effect], seed: int, crowd: Crowd):
        self.pack = pack
        self.effects = {(e.rule, e.variant): e.lift for e in effects}
        self.seed = seed
        self.crowd = crowd
        self.branch = {(p, u): code for p, u, code in crowd.people}
        # Branches whose meeting is called already in the crowd's plan: a second call
        # would move it, so their volunteers do not respond by calling it again.
        self.calling = {a.branch for a in crowd.actions if a.kind == "meeting"}
        self._seen: set[tuple[str, str, str]] = set()

    def respond(self, sent: Sent, branch: str | None) -> Action | None:
        """What the person does, if anything, on being sent `sent`."""
        lift = self.effects.get((sent.rule, sent.variant or ""))
        who = (sent.target.platform, sent.target.id)
        if lift is None or (sent.rule, *who) in self._seen:
            return None
        self._seen.add((sent.rule, *who))
        rng = random.Random(f"{self.seed}:{who[0]}:{who[1]}:{sent.rule}:effect")
        if rng.random() >= lift:
            return None
        rule = self.pack.rules[sent.rule]
        at = self._soon(sent.at, rng)
        if rule.phase == "ballot":
            if at >= self.pack.ballot_close:
                return None
            return self._action(at, who, "/voted", "voted")
        code = branch or self.branch.get(who)
        if code is None or code in self.calling:
            return None
        self.calling.add(code)
        day = at.astimezone(self.pack.zone).date()
        meeting = min(day + timedelta(days=self.pack.notice_days), self.pack.close.date())
        line = f"/meeting branch:{code} date:{iso(meeting)} notice:{iso(day)}"
        data: dict[str, object] = {"date": meeting, "notice": day, "at": None}
        return self._action(at, who, line, "meeting", branch=code, data=data)

    def _soon(self, sent: datetime, rng: random.Random) -> datetime:
        """Within a day or so, in the day (inside any outcome window of 2 days or more)."""
        zone = self.pack.zone
        day = (sent + timedelta(hours=rng.uniform(1, 24))).astimezone(zone).date()
        at = datetime.combine(day, time(rng.randint(9, 19), rng.randrange(60)), tzinfo=zone)
        return max(at, sent + timedelta(minutes=30))

    def _action(
        self, at: datetime, who: tuple[str, str], line: str, kind: str, **kw: Any
    ) -> Action:
        self.crowd._seq += 1
        return Action(at, self.crowd._seq, who[0], who[1], line, kind, **kw)


async def report(store: Store, campaign: Campaign, now: datetime) -> list[dict[str, Any]]:
    """The experiments as `mobilise experiments --json` gives them at `now`."""
    found = await experiments_report(store, campaign, now)
    experiments: list[dict[str, Any]] = report_json(found, now)["experiments"]
    return experiments
