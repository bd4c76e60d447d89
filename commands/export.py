"""/export: nominations, volunteers, meetings or the ballot as a CSV file (organisers)."""

from __future__ import annotations

from bot.campaign.dates import plural
from bot.runtime.messages import Attachment, Invocation, Reply
from bot.runtime.retention import purge_if_due
from bot.runtime.services import Services
from bot.views.exports import EXPORTS, export_csv
from commands.spec import Option, OptionType, Permission, command


@command(
    "export",
    "Download nominations, volunteers, meetings or the ballot as CSV.",
    Option("what", "What to export", OptionType.CHOICE, choices=EXPORTS),
    permission=Permission.ORGANISER,
)
async def export(invocation: Invocation, services: Services) -> Reply:
    what = invocation.text("what") or "nominations"
    # Past the purge date nothing personal is exported: what is still held goes first.
    await purge_if_due(services, by="an export")
    text, count = await export_csv(services.store, services.campaign, what, invocation.now)
    filename = f"{what}-{invocation.now:%Y-%m-%d}.csv"
    singular, many = ("branch", "branches") if what == "ballot" else (what[:-1], what)
    return Reply(
        text=f"Here {'is' if count == 1 else 'are'} {plural(count, singular, many)} as CSV.",
        attachment=Attachment(filename, text.encode("utf-8"), "text/csv"),
        ephemeral=True,
    )
