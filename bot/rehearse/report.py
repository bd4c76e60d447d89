"""The rehearsal's timeline summary, for people (`--json` prints the result instead)."""

from __future__ import annotations

from bot.rehearse.runner import Result


def summary(result: Result) -> str:
    lines = [
        f"Rehearsed {result.hours} hours ({result.start[:10]} to {result.end[:10]}) with "
        f"{result.supporters} supporters, seed {result.seed}, in {result.seconds:.1f} s: "
        f"{result.commands} commands, {result.messages} messages.",
        "Messages by phase: "
        + ", ".join(f"{phase} {n}" for phase, n in result.messages_by_phase.items()),
        "Messages by rule: "
        + ", ".join(f"{rule} {n}" for rule, n in sorted(result.messages_by_rule.items())),
        "Nominations counted (Mondays): "
        + ", ".join(f"{day[5:]} {n}" for day, n in result.counted_by_week.items()),
        f"Threshold reached: {result.threshold_reached_on or 'not reached'}.",
    ]
    for experiment in result.experiments:
        groups = experiment.get("groups", [])
        assert isinstance(groups, list)
        lines.append(f"Experiment {experiment['rule']}: " + ", ".join(_group(g) for g in groups))
    if result.faults:
        lines.append("Faults: " + ", ".join(f"{k} {v}" for k, v in result.faults.items()))
    if result.violations:
        lines.append(f"{len(result.violations)} violations:")
        lines.extend(f"- {v}" for v in result.violations)
    else:
        lines.append("No violations.")
    return "\n".join(lines)


def _group(group: dict[str, object]) -> str:
    said = f"{group['variant']} {group['took_step']}/{group['people']}"
    low_high = group.get("ci95")
    if isinstance(low_high, list):
        said += (
            f" ({float(group['difference']):+.3f}, 95% {low_high[0]:+.3f} to {low_high[1]:+.3f})"  # type: ignore[arg-type]
        )
    elif group.get("verdict") == "too-few":
        said += " (too few to say)"
    return said
