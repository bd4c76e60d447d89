"""/audit: the latest organiser actions and refusals (organisers)."""

from __future__ import annotations

from bot.campaign.dates import clock_time, short_day
from bot.runtime.messages import Invocation, Reply
from bot.runtime.services import Services
from commands.spec import Option, OptionType, Permission, command


@command(
    "audit",
    "Show the latest organiser actions, and refused attempts.",
    Option("count", "How many to show (up to 50)", OptionType.INTEGER, min_value=1, max_value=50),
    permission=Permission.ORGANISER,
    audited=False,
)
async def audit(invocation: Invocation, services: Services) -> Reply:
    entries = await services.store.audit.latest(invocation.integer("count") or 20)
    if not entries:
        return Reply(text="Nothing in the audit log yet.", ephemeral=True)
    zone = services.settings.zone
    lines = ["Latest organiser actions:"]
    for entry in entries:
        at = entry.at.astimezone(zone)
        who = entry.display_name or (
            "the command line" if entry.platform == "cli" else "someone since erased"
        )
        detail = f" {entry.detail}" if entry.detail else ""
        lines.append(
            f"{short_day(at.date())} {clock_time(at)}: {who} ({entry.platform}) "
            f"{entry.action}{detail}"
        )
    return Reply(text="\n".join(lines), ephemeral=True)
