"""/export: nominations, volunteers or meetings as a CSV file (organisers)."""

from __future__ import annotations

from bot.dates import plural
from bot.exports import EXPORTS, export_csv
from bot.messages import Attachment, Invocation, Reply
from bot.services import Services
from commands.spec import Option, OptionType, Permission, command


@command(
    "export",
    "Download nominations, volunteers or meetings as CSV.",
    Option("what", "What to export", OptionType.CHOICE, choices=EXPORTS),
    permission=Permission.ORGANISER,
)
async def export(invocation: Invocation, services: Services) -> Reply:
    what = invocation.text("what") or "nominations"
    text, count = await export_csv(services.store, services.campaign, what)
    filename = f"{what}-{invocation.now:%Y-%m-%d}.csv"
    singular = what[:-1]
    return Reply(
        text=f"Here {'is' if count == 1 else 'are'} {plural(count, singular)} as CSV.",
        attachment=Attachment(filename, text.encode("utf-8"), "text/csv"),
        ephemeral=True,
    )
