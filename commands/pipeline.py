"""/pipeline: how many branches are at each stage, and which are stuck (organisers)."""

from __future__ import annotations

from bot.campaign.dates import plural, short_day
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from bot.views.pipeline import (
    STAGES,
    STEP_NAME,
    days_since,
    stage_counts,
    standings,
    stuck_longest,
    to_verify,
)
from commands.spec import Option, Permission, command

TODO_LISTED = 10


@command(
    "pipeline",
    "Count branches at each stage, the ones stuck longest, and what waits on organisers.",
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
    now = invocation.now
    stuck = stuck_longest(found, services.campaign, now)
    if stuck:
        lines.append("Stuck longest:")
        for item in stuck:
            days = plural(days_since(item, now), "day")
            lines.append(f"- {item.name}: {item.stage} for {days}; next: {STEP_NAME[item.stage]}")
    todo = to_verify(rows)
    if todo:
        lines.append("For organisers to verify (the branch has done its part):")
        for row in todo[:TODO_LISTED]:
            assert row.form_sent_at is not None
            sent = row.form_sent_at.astimezone(services.settings.zone).date()
            lines.append(f"- {row.name}: form sent {short_day(sent)} (/verify branch:{row.code})")
        if len(todo) > TODO_LISTED:
            lines.append(f"- and {len(todo) - TODO_LISTED} more")
    return Reply(text="\n".join(lines), title="Branch pipeline", ephemeral=True)
