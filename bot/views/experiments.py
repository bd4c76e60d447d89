"""The wording experiments' report (`mobilise experiments`): for each rule with variants,
each group (every wording, and the holdout) with how many people it holds and how many
took the next step within the pack's window, and each wording's difference from the
holdout with a 95% interval. When the numbers are too small to say anything, it says so.

The interval for a difference of two proportions is Newcombe's hybrid score interval
(his method 10: from the two Wilson intervals), which stays inside [-1, 1] and behaves
with rates near 0 or 1 and with small groups, where the plain Wald interval does not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.campaign.pack import Campaign
from bot.campaign.records import Exposure, StepTimes
from bot.campaign.rules import HOLDOUT, Rule
from bot.stats import wilson
from bot.store import Store

MIN_PEOPLE = 30  # fewer in a group than this, and the report says nothing of a difference

OUTCOMES = {
    "meeting": "a meeting called for their branch",
    "result": "a result reported for their branch",
    "voted": "said they voted (/voted)",
}


def newcombe(took1: int, people1: int, took0: int, people0: int) -> tuple[float, float, float]:
    """The difference p1 - p0 with Newcombe's hybrid score 95% interval: (d, low, high)."""
    p1, p0 = took1 / people1, took0 / people0
    l1, u1 = wilson(took1, people1)
    l0, u0 = wilson(took0, people0)
    d = p1 - p0
    low = d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return d, max(-1.0, low), min(1.0, high)


def _points(value: float) -> str:
    return f"{value * 100:+.1f}"


@dataclass(frozen=True, slots=True)
class Group:
    variant: str
    people: int  # whose window has closed
    took_step: int
    waiting: int  # still inside their window: not counted yet
    branches: int
    difference: tuple[float, float, float] | None = None  # d, low, high, from the baseline
    verdict: str | None = None  # too-few | no-clear-difference | more | fewer (None: baseline)

    @property
    def rate(self) -> float | None:
        return self.took_step / self.people if self.people else None

    def says(self, baseline: str, other: int) -> str:
        share = f" ({self.rate:.1%})" if self.rate is not None else ""
        head = f"{self.variant}: {self.people} people, {self.took_step} took the step{share}"
        if self.verdict is None:
            return head
        if self.verdict == "too-few":
            return (
                f"{head}: too few people to say anything yet ({self.people} here, {other} in "
                f"the {baseline}; at least {MIN_PEOPLE} in each are needed)"
            )
        assert self.difference is not None
        d, low, high = self.difference
        interval = f"95% interval {_points(low)} to {_points(high)} points"
        if self.verdict == "no-clear-difference":
            return f"{head}: no clear difference from the {baseline} ({interval})"
        return f"{head}: {_points(d)} points on the {baseline} ({interval})"

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "variant": self.variant,
            "people": self.people,
            "took_step": self.took_step,
            "rate": round(self.rate, 4) if self.rate is not None else None,
            "waiting": self.waiting,
            "branches": self.branches,
        }
        if self.verdict is not None:
            out["verdict"] = self.verdict
            if self.difference is not None:
                d, low, high = self.difference
                out["difference"] = round(d, 4)
                out["ci95"] = [round(low, 4), round(high, 4)]
            else:
                out["difference"] = None
                out["ci95"] = None
        return out


@dataclass(frozen=True, slots=True)
class Experiment:
    rule: Rule
    baseline: str  # "holdout", or the first wording when the rule has no holdout
    groups: tuple[Group, ...]
    lines: tuple[str, ...] = field(default=())

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule.id,
            "outcome": self.rule.outcome,
            "outcome_days": self.rule.window_days,
            "holdout": self.rule.holdout_share,
            "baseline": self.baseline,
            "groups": [g.as_json() for g in self.groups],
            "notes": list(self.lines),
        }


def experiment_rules(campaign: Campaign) -> list[Rule]:
    return [rule for rule in campaign.reminders if rule.variants]


def _took(rule: Rule, exposure: Exposure, steps: StepTimes) -> bool:
    start = exposure.first_at
    end = start + timedelta(days=rule.window_days)
    if rule.outcome == "voted":
        at = steps.voted.get(exposure.person_id)
        return at is not None and start <= at <= end
    times = steps.meetings if rule.outcome == "meeting" else steps.results
    return any(start <= at <= end for at in times.get(exposure.branch_code or "", ()))


def analyse(
    rule: Rule, exposures: Sequence[Exposure], steps: StepTimes, now: datetime
) -> Experiment:
    """One rule's experiment, as things stand at `now`."""
    assert rule.variants
    names = [v.id for v in rule.variants]
    baseline = HOLDOUT if rule.holdout_share > 0 else names[0]
    order = [HOLDOUT, *names] if rule.holdout_share > 0 else names
    window = timedelta(days=rule.window_days)
    counted: dict[str, list[bool]] = {name: [] for name in order}
    waiting = dict.fromkeys(order, 0)
    branches: dict[str, set[str]] = {name: set() for name in order}
    for exposure in exposures:
        if exposure.rule_id != rule.id or exposure.variant not in counted:
            continue  # a wording the pack no longer has
        if exposure.first_at + window > now:
            waiting[exposure.variant] += 1
            continue
        counted[exposure.variant].append(_took(rule, exposure, steps))
        branches[exposure.variant].add(exposure.branch_code or "")
    base_took, base_people = sum(counted[baseline]), len(counted[baseline])
    groups = []
    for name in order:
        took, people = sum(counted[name]), len(counted[name])
        verdict: str | None = None
        difference = None
        if name != baseline:
            if people < MIN_PEOPLE or base_people < MIN_PEOPLE:
                verdict = "too-few"
            else:
                difference = newcombe(took, people, base_took, base_people)
                _, low, high = difference
                verdict = "more" if low > 0 else "fewer" if high < 0 else "no-clear-difference"
        groups.append(
            Group(name, people, took, waiting[name], len(branches[name]), difference, verdict)
        )
    lines = [
        f"The outcome: {OUTCOMES[rule.outcome]}, within {rule.window_days} days of the "
        f"first message from the rule (for the {HOLDOUT}, of when it would have come)."
    ]
    still = sum(waiting.values())
    if still:
        lines.append(
            f"{still} more are still inside their {rule.window_days} days, and not counted yet."
        )
    if rule.outcome != "voted":
        lines.append(
            "People in one branch share its outcome: where branches have several "
            "volunteers, the intervals are narrower than they should be."
        )
    return Experiment(rule, baseline, tuple(groups), tuple(lines))


async def experiments_report(store: Store, campaign: Campaign, now: datetime) -> list[Experiment]:
    rules = experiment_rules(campaign)
    if not rules:
        return []
    exposures = await store.experiments.exposures([rule.id for rule in rules])
    steps = await store.experiments.steps()
    return [analyse(rule, exposures, steps, now) for rule in rules]


def report_json(experiments: Sequence[Experiment], now: datetime) -> dict[str, Any]:
    return {"as_of": now.isoformat(), "experiments": [e.as_json() for e in experiments]}


def report_lines(experiments: Sequence[Experiment]) -> list[str]:
    if not experiments:
        return ["No rule in the pack has variants: there are no wording experiments."]
    out: list[str] = []
    for experiment in experiments:
        if out:
            out.append("")
        out.append(f"{experiment.rule.id}:")
        base = next(g for g in experiment.groups if g.variant == experiment.baseline)
        for group in experiment.groups:
            out.append("  " + group.says(experiment.baseline, base.people))
        out.extend(f"  {line}" for line in experiment.lines)
    return out
