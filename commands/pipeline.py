"""/pipeline: how many branches are at each stage, and which are stuck (organisers)."""

from __future__ import annotations

from bot.dates import plural
from bot.messages import Invocation, Reply
from bot.pipeline import STAGES, stage_counts, standings, stuck_longest
from bot.services import Services
from commands.spec import Option, Permission, command


@command(
    "pipeline",
    "Count branches at each stage and show the ones stuck longest.",
    Option("region", "Only this region", max_length=80),
    Option("group", "Only this group", max_length=80),
    permission=Permission.ORGANISER,
    audited=False,
)
async def pipeline(invocation: Invocation, services: Services) -> Reply:
    rows = await services.store.branches.facts()
    region = (invocation.text("region") or "").casefold()
    group = (invocation.text("group") or "").casefold()
    if region:
        rows = [r for r in rows if region in r.region.casefold()]
    if group:
        rows = [r for r in rows if group in r.group.casefold()]
    scope = " and ".join(x for x in (invocation.text("region"), invocation.text("group")) if x)
    if not rows:
        return Reply(text=f"No branches match {scope}.", ephemeral=True)
    found = standings(rows, services.campaign, invocation.now)
    counts = stage_counts(found)
    heading = f"{plural(len(found), 'branch', 'branches')}" + (f" in {scope}" if scope else "")
    lines = [f"Pipeline: {heading}."]
    lines.extend(f"{stage}: {counts[stage]}" for stage in STAGES if counts[stage])
    stuck = stuck_longest(found, invocation.now)
    if stuck:
        lines.append("Stuck longest:")
        zone = services.settings.zone
        for item in stuck:
            assert item.since is not None
            since = item.since if item.since.tzinfo else item.since.replace(tzinfo=zone)
            days = max(0, (invocation.now - since).days)
            lines.append(f"- {item.name}: {item.stage} for {plural(days, 'day')}")
    return Reply(text="\n".join(lines), title="Branch pipeline", ephemeral=True)
